## 申请材料（上传）

err-material-not-found = 找不到这份材料。
err-material-not-editable = 这件申请{ $status }，不能再上传或删除材料。
err-material-too-large = 文件太大：每个文件不能超过 { $max }。
err-material-quota-exceeded = 这件申请的材料合计不能超过 { $max }，请先删除不需要的材料再上传。
err-material-slot-full = 这项材料最多上传 { $max } 个文件，请先删除一个再上传。
err-material-unsupported-type = 只能上传 JPEG、PNG、WebP 格式的图片或 PDF 文件（按文件内容识别，与文件名无关）。
err-material-heic = 暂不支持 HEIC/HEIF 格式的照片，请在手机相册中将照片导出为 JPEG 后再上传（iPhone 可在“设置 > 相机 > 格式”中选择“兼容性最佳”）。
err-material-images-only = 这项材料只接受图片（JPEG、PNG、WebP），请拍照或扫描后上传。
err-material-pdf-only = 这项材料只接受 PDF 文件。
err-material-bad-image = 图片无法读取，可能已损坏或没有上传完整，请重新拍摄或选择图片。
err-material-too-many-pixels = 图片尺寸过大（{ $width }×{ $height }），请缩小到 { $max } 百万像素以内再上传。
err-material-bad-pdf = 这不是有效的 PDF 文件。
err-material-bad-name = 文件名不能包含路径分隔符（/ 或 \）或控制字符，请重命名后再上传。
err-material-unknown-slot = 这项事项的办理流程中没有这项材料。
err-material-no-uploads = 这项事项的办理流程不需要上传材料。
err-material-not-multipart = 请以 multipart/form-data 格式上传，包含 slot 和 file 两个字段。
err-material-missing-slot = 请指明上传的是哪项材料（slot 字段）。
err-material-missing-file = 请选择要上传的文件（file 字段）。
err-material-one-file = 每次只能上传一个文件。
err-material-unknown-field = 上传表单只能包含 slot 和 file 两个字段。
err-material-bad-form = 上传内容的格式有误，请重试。
err-material-incomplete = 文件没有上传完整，请重试。
err-material-unavailable = 材料存储暂时不可用，请稍后再试。
