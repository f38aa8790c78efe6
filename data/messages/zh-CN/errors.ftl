# 错误说明（problem+json 的 detail）。标题见 problems.ftl。
# 写给办事的人看：说清楚哪里不对、怎么办；不写技术细节，不复述对方填写的内容。

## 通用

err-internal = 服务出现意外错误，我们已记录，请稍后再试。
err-not-ready = 服务正在启动，请稍候几秒再试。
err-timeout = 请求处理超时（超过 { $ms } 毫秒），请稍后再试。
err-unavailable = 服务暂时不可用，请稍后再试。
err-storage-full = 服务器存储空间不足，本次内容没有保存，请稍后再试。
err-storage-read-only = 服务器暂时无法写入，本次内容没有保存，请稍后再试。
err-storage-failing = 服务器存储出现故障，本次内容没有保存，请稍后再试。
err-busy = 服务繁忙，请 { $seconds } 秒后再试。
err-rate-limited = 操作过于频繁，请 { $seconds } 秒后再试。
err-no-such-endpoint = 没有这个接口，请查看接口文档 /api/v1/openapi.json。
err-no-such-file = 没有找到这个页面文件。
err-method-not-allowed = 这个接口不支持此请求方式。
err-rejected = 请求未被接受（状态码 { $status }）。
err-headers-too-large = 请求头过大（上限 { $max } 字节）。
err-body-too-large = 提交的内容过大（上限 { $max } 字节）。
err-body-over-limit = 提交的内容超过了允许的大小。
err-body-unreadable = 无法读取提交的内容，请重试。
err-centre-disabled = 本服务未开启个人中心。
err-wallet-disabled = 本服务未开启电子证照（我的证照）。

## 查询参数

err-required = 必须填写。
err-empty = 不能为空。
err-too-long = 最多 { $max } 个字。
err-control-characters = 含有不可见的控制字符，请删除后重试。
err-param-unknown = 不支持这个参数。可用的参数：{ $accepted }
err-param-none-accepted = 这个接口不接受任何查询参数。
err-param-repeated = 这个参数只能出现一次。
err-param-integer = 应为 { $min } 到 { $max } 之间的整数。
err-param-decimal = 应为数字。
err-param-range = 应在 { $min } 到 { $max } 之间。
err-param-choice = 不是可选的值。可选：{ $choices }
err-param-boolean = 应为 true 或 false。
err-param-utf8 = 含有无法识别的字符编码。
err-not-found-id = 没有找到这个编号对应的内容。
err-lat-needs-lng = 提供了纬度（lat）也请提供经度（lng）。
err-lng-needs-lat = 提供了经度（lng）也请提供纬度（lat）。
err-latitude = 纬度应在 -90 到 90 之间。
err-longitude = 经度应在 -180 到 180 之间。
err-page-from-one = 页码从 1 开始。
err-size = 每页数量应为 1 到 { $max }。
err-result-window = 翻页过深：页码 × 每页数量不能超过 { $max }。
err-query-too-long = 搜索词最多 { $max } 个字。
err-unknown-region = 没有找到这个地区。
err-unknown-audience = 服务对象不是可选的值。可选：{ $choices }
err-unknown-service-type = 事项类型不是可选的值。可选：{ $choices }
err-step-index = 步骤编号应为从 0 开始的整数。
err-not-found-item = 没有找到这个服务事项。
err-not-found-reconciliation = 这一天还没有对账报告，可以先发起对账。

## 提交的内容（JSON）

err-json-content-type = 请以 JSON 格式提交（Content-Type: application/json）。
err-json-not-object = 提交的内容应为一个 JSON 对象（{"{"}…{"}"}）。
err-json-syntax = 提交的内容不是有效的 JSON（第 { $line } 行第 { $column } 列附近）。
err-json-eof = 提交的内容不完整。
err-json-missing-field = 缺少必填项。
err-json-unknown-field = 不认识这一项，请删除后重试。
err-json-duplicate-field = 这一项重复出现了。
err-json-invalid-type = 这一项的类型不对（例如应为文字却填了数字）。
err-json-invalid-value = 这一项的值不符合要求。
err-whole-number = 应为整数。

## 登录与账号

err-unauthenticated = 请先登录。登录已过期或已在别处退出时，也需要重新登录。
err-bad-credentials = 手机号、密码或验证码不正确，或该登录方式已关闭。
err-second-factor-required = 为保护您的账号，这次登录还需要短信验证码。
err-sms-code-format = 短信验证码是 6 位数字。
err-password-too-long = 密码最多 { $max } 个字符。
err-password-length = 密码应为 { $min } 到 { $max } 个字符。
err-code-purpose = 验证码用途不正确。
err-already-registered = 这个手机号已经注册，请直接登录。
err-phone = 请填写 11 位中国大陆手机号码。
err-email = 电子邮箱格式不正确。
err-ascii-token = 只能使用字母、数字和 - _ .，最多 { $max } 个字符。
err-login-validity = 登录有效期应为 { $min } 到 { $max } 小时。
err-login-methods = 至少要保留一种登录方式。
err-centre-secret = 服务密钥配置不正确，请联系管理员。
err-step-up-required = 此操作需要{ $required ->
        [L2] 完成实名认证
        [L3] 完成人脸识别认证
       *[other] 登录
    }（当前认证级别：{ $current }）。
err-not-found-session = 没有找到这个登录设备。

## 实名与人脸认证

err-id-number-format = 身份证号码应为 18 位（最后一位可以是 X）。
err-id-number-check = 身份证号码的校验位不正确，请核对后重新填写。
err-id-number-birth-date = 身份证号码中的出生日期不正确。
err-identity-mismatch = 姓名与身份证号码核验不一致，请核对后重新填写。
err-account-bound-elsewhere = 姓名与身份证号码核验不一致，请核对后重新填写。
err-face-sample = 人脸照片无效或过大（上限 { $max } 字节），请重新拍摄。
err-face-mismatch = 人脸识别未通过，请在光线充足处正对镜头重试。

## 法人（单位）

err-uscc-format = 统一社会信用代码应为 18 位数字或大写字母。
err-uscc-check = 统一社会信用代码的校验位不正确，请核对后重新填写。
err-only-persons-register-orgs = 请以个人身份登录后再登记单位。
err-org-registered = 这个单位已经登记过了。
err-org-verified-by-agents = 单位账号需由经办人以个人身份认证。
err-act-as-person = 请以个人身份登录后再代单位办事。
err-not-found-organisation = 没有找到这个单位，或您不是它的经办人。

## 办件

err-not-found-application = 没有找到这件申请。
err-application-not-editable = 这件申请{ $status }，不能再修改。
err-too-many-answers = 每一步最多填写 { $max } 项。
err-step-out-of-range = 没有这一步（共 { $count } 步）。
err-step-ahead = 请先完成前面的步骤（当前在第 { $current } 步）。
err-application-answers-kind = 这件申请的填写方式已经更新，请刷新页面后重新填写这一步。
err-steps-not-done = 还有步骤没有填写（已完成 { $current }/{ $count } 步）。
err-cannot-withdraw = 这件申请{ $status }，不能撤回。
err-cannot-move = 申请不能从“{ $from }”变为“{ $to }”。
err-result-too-long = 办理结果内容过长。

## 反馈与消息

err-banned-word = 内容含有不文明或不允许的词语（{ $word }），没有提交。请修改后再试。
err-not-found-feedback = 没有找到这条反馈。
err-not-found-message = 没有找到这条消息。
err-not-found-history-entry = 没有找到这条搜索记录。
err-not-found-hot-rule = 没有这条热搜规则。
err-hot-rule-query = 热搜词应为 1 到 30 个字，不含控制字符。

## 我的证照

err-not-found-licence = 没有找到这张证照。
err-not-found-account = 没有找到这个账户。
err-licence-revoked = 这张证照已被发证机关吊销或注销，不能添加或出示。
err-unknown-licence-type = 没有这种证照类型（{ $type }）。
err-licence-has-no-field = 这种证照没有“{ $field }”这一项。
err-field-names = 信息项名称只能使用小写字母、数字和下划线，最多 { $max } 个字符。
err-too-many-fields = 最多选择 { $max } 项信息。
err-presentation-request = 核验请求无效或已过期。
err-request-not-open = 这次核验请求已关闭或已过期，请让核验方重新发起。
err-request-answered = 这次核验请求已经出示过了。
err-request-secret = 请附上核验请求的密钥（Authorization: Bearer …）。
err-not-found-request = 没有找到这次核验请求。
err-presentation-code = 这不是有效的出示码。
err-presentation-unknown-code = 没有找到这个出示码。
err-presentation-not-for-verifier = 这个出示码不是出示给本核验方或本次核验请求的。
err-presentation-replayed = 这个出示码已经使用过了，请让持证人重新出示。
err-presentation-revoked = 证照已从卡包删除，或已被发证机关吊销。
err-presentation-not-disclosed = 持证人没有出示所需的信息（{ $field }）。
err-presentation-too-large = 出示内容过长（上限 { $max } 字节）。
err-presentation-malformed = 出示内容格式不正确。
err-presentation-unknown-key = 无法识别签发密钥，出示码可能已失效。
err-presentation-bad-signature = 签名校验失败，出示内容可能被伪造或篡改。
err-presentation-expired = 出示码已过期，请让持证人重新出示。
err-presentation-not-yet-valid = 出示码的签发时间晚于当前时间，请检查设备时间。
err-presentation-tampered = 证照信息与签发内容不符，可能被篡改。
err-presentation-key-binding = 持证人绑定校验失败。
err-presentation-wrong-audience = 这个出示码不是出示给本核验方的。
err-presentation-wrong-nonce = 这个出示码不是对本次核验请求的应答。

## 管理与部门接口

err-admin-disabled = 管理接口未开启：未配置管理令牌。
err-admin-token = 请附上管理令牌（Authorization: Bearer …）。
err-fixed-engine = 这个服务使用固定的数据，不能重新加载。
err-reload-failed = 数据文件有错误，仍使用原来的数据：{ $reason }
err-operator-disabled = 部门接口未开启：未配置部门令牌。
err-operator-token = 请附上部门令牌（Authorization: Bearer …）。
err-unknown-lang = 不支持这种语言。可选：zh-CN（简体中文）、zh-HK（繁體中文）、en（English）。

## 查询与证明（部门接口）

err-not-a-records-item = 这个事项不提供在线查询。
err-not-a-certificate-item = 这个事项不提供在线开具证明。
err-param-unknown-filter = 这项查询没有这个筛选条件。
err-filter-pattern = 格式不正确，请核对后重新填写。
err-filter-month-range = 请按“年-月/年-月”填写，例如 2025-01/2025-12。
err-filter-date-range = 请按“年-月-日/年-月-日”填写，例如 2025-01-01/2025-12-31。
err-filter-year = 请填写四位数的年份，例如 2025。
err-filter-choice = 请从给出的选项中选择。
err-filter-plate = 请填写完整的车牌号码，例如 粤A12345。
err-filter-order = 结束时间不能早于开始时间。
err-filter-span = 查询时间跨度最长 { $months } 个月。
err-records-foreign-identifier = 只能查询本人（或本单位、本人车辆）的信息。
err-certificate-purpose = 请选择证明的用途：{ $choices }
err-idempotency-key = 幂等键只能使用字母、数字和 . _ : -，最多 64 个字符。
err-department-unavailable = 办理部门的系统暂时无法访问，请稍后再试。其他服务不受影响。
err-department-busy = 办理部门的系统繁忙，请稍后再试。
err-department-not-connected = 这项服务暂未接入部门系统，暂不支持在线办理。
err-department-error = 办理部门返回的信息有误，我们已记录，请稍后再试。
err-department-refused = 办理部门未能办理这项请求，请核对信息或咨询办理部门。
err-department-not-found = 办理部门没有找到相关信息。
err-department-bad-request = 办理部门无法受理这项请求，请核对填写的内容。
