## 申請材料（上載）

err-material-not-found = 找不到這份材料。
err-material-not-editable = 這宗申請的狀態為「{ $status }」，不能再上載或刪除材料。
err-material-too-large = 檔案太大：每個檔案不能超過 { $max }。
err-material-quota-exceeded = 這宗申請的材料合計不能超過 { $max }，請先刪除不需要的材料再上載。
err-material-slot-full = 這項材料最多上載 { $max } 個檔案，請先刪除一個再上載。
err-material-unsupported-type = 只能上載 JPEG、PNG、WebP 格式的圖片或 PDF 檔案（按檔案內容識別，與檔案名稱無關）。
err-material-heic = 暫不支援 HEIC/HEIF 格式的相片，請在手機相簿中將相片匯出為 JPEG 後再上載（iPhone 可在「設定 > 相機 > 格式」中選擇「最兼容」）。
err-material-images-only = 這項材料只接受圖片（JPEG、PNG、WebP），請拍照或掃描後上載。
err-material-pdf-only = 這項材料只接受 PDF 檔案。
err-material-bad-image = 圖片無法讀取，可能已損壞或沒有上載完整，請重新拍攝或選擇圖片。
err-material-too-many-pixels = 圖片尺寸過大（{ $width }×{ $height }），請縮小到 { $max } 百萬像素以內再上載。
err-material-bad-pdf = 這不是有效的 PDF 檔案。
err-material-bad-name = 檔案名稱不能包含路徑分隔符（/ 或 \）或控制字元，請重新命名後再上載。
err-material-unknown-slot = 這項事項的辦理流程中沒有這項材料。
err-material-no-uploads = 這項事項的辦理流程不需要上載材料。
err-material-not-multipart = 請以 multipart/form-data 格式上載，包含 slot 和 file 兩個欄位。
err-material-missing-slot = 請指明上載的是哪項材料（slot 欄位）。
err-material-missing-file = 請選擇要上載的檔案（file 欄位）。
err-material-one-file = 每次只能上載一個檔案。
err-material-unknown-field = 上載表單只能包含 slot 和 file 兩個欄位。
err-material-bad-form = 上載內容的格式有誤，請重試。
err-material-incomplete = 檔案沒有上載完整，請重試。
err-material-unavailable = 材料儲存暫時無法使用，請稍後再試。
