# 錯誤說明（problem+json 的 detail）。標題見 problems.ftl。
# 寫給辦事的人看：說清楚哪裏不對、怎樣處理；不寫技術細節，不複述對方填寫的內容。

## 通用

err-internal = 服務出現意外錯誤，我們已作記錄，請稍後再試。
err-not-ready = 服務正在啟動，請稍等幾秒再試。
err-timeout = 要求處理逾時（超過 { $ms } 毫秒），請稍後再試。
err-unavailable = 服務暫時未能使用，請稍後再試。
err-storage-full = 伺服器儲存空間不足，是次內容未能儲存，請稍後再試。
err-storage-read-only = 伺服器暫時無法寫入資料，是次內容未能儲存，請稍後再試。
err-storage-failing = 伺服器儲存出現故障，是次內容未能儲存，請稍後再試。
err-busy = 服務繁忙，請於 { $seconds } 秒後再試。
err-rate-limited = 操作過於頻繁，請於 { $seconds } 秒後再試。
err-no-such-endpoint = 沒有這個介面，請查閱介面文件 /api/v1/openapi.json。
err-no-such-file = 找不到這個網頁檔案。
err-method-not-allowed = 這個介面不支援此要求方式。
err-rejected = 要求未獲接納（狀態碼 { $status }）。
err-headers-too-large = 要求標頭過大（上限 { $max } 位元組）。
err-body-too-large = 提交的內容過大（上限 { $max } 位元組）。
err-body-over-limit = 提交的內容超出容許的大小。
err-body-unreadable = 無法讀取提交的內容，請重試。
err-centre-disabled = 本服務未啟用個人中心。
err-wallet-disabled = 本服務未啟用電子證照（我的證照）。

## 查詢參數

err-required = 必須填寫。
err-empty = 不能留空。
err-too-long = 最多 { $max } 個字。
err-control-characters = 含有不可見的控制字元，請刪除後重試。
err-param-unknown = 不支援這個參數。可用的參數：{ $accepted }
err-param-none-accepted = 這個介面不接受任何查詢參數。
err-param-repeated = 這個參數只可出現一次。
err-param-integer = 應為 { $min } 至 { $max } 之間的整數。
err-param-decimal = 應為數字。
err-param-range = 應在 { $min } 至 { $max } 之間。
err-param-choice = 不是可選的值。可選：{ $choices }
err-param-boolean = 應為 true 或 false。
err-param-utf8 = 含有無法識別的字元編碼。
err-not-found-id = 找不到這個編號對應的內容。
err-lat-needs-lng = 提供了緯度（lat）亦請提供經度（lng）。
err-lng-needs-lat = 提供了經度（lng）亦請提供緯度（lat）。
err-latitude = 緯度應在 -90 至 90 之間。
err-longitude = 經度應在 -180 至 180 之間。
err-page-from-one = 頁碼由 1 開始。
err-size = 每頁數量應為 1 至 { $max }。
err-result-window = 翻頁過深：頁碼 × 每頁數量不能超過 { $max }。
err-query-too-long = 搜尋字詞最多 { $max } 個字。
err-unknown-region = 找不到這個地區。
err-unknown-audience = 服務對象不是可選的值。可選：{ $choices }
err-unknown-service-type = 事項類型不是可選的值。可選：{ $choices }
err-step-index = 步驟編號應為由 0 開始的整數。
err-not-found-item = 找不到這個服務事項。
err-not-found-reconciliation = 這一天還沒有對賬報告，可以先發起對賬。

## 提交的內容（JSON）

err-json-content-type = 請以 JSON 格式提交（Content-Type: application/json）。
err-json-not-object = 提交的內容應為一個 JSON 物件（{"{"}…{"}"}）。
err-json-syntax = 提交的內容不是有效的 JSON（第 { $line } 行第 { $column } 個字元附近）。
err-json-eof = 提交的內容不完整。
err-json-missing-field = 缺少必填項目。
err-json-unknown-field = 無法識別這個項目，請刪除後重試。
err-json-duplicate-field = 這個項目重複出現。
err-json-invalid-type = 這個項目的類型不正確（例如應為文字卻填了數字）。
err-json-invalid-value = 這個項目的值不符合要求。
err-whole-number = 應為整數。

## 登入與帳戶

err-unauthenticated = 請先登入。如登入已過期，或已在其他地方登出，亦需重新登入。
err-bad-credentials = 手機號碼、密碼或驗證碼不正確，或該登入方式已停用。
err-second-factor-required = 為保障您的帳戶安全，是次登入還需要短訊驗證碼。
err-sms-code-format = 短訊驗證碼為 6 位數字。
err-password-too-long = 密碼最多 { $max } 個字元。
err-password-length = 密碼應為 { $min } 至 { $max } 個字元。
err-code-purpose = 驗證碼用途不正確。
err-already-registered = 這個手機號碼已經註冊，請直接登入。
err-phone = 請填寫 11 位數字的中國內地手機號碼。
err-email = 電郵地址格式不正確。
err-ascii-token = 只可使用英文字母、數字及 - _ .，最多 { $max } 個字元。
err-login-validity = 登入有效期應為 { $min } 至 { $max } 小時。
err-login-methods = 最少要保留一種登入方式。
err-centre-secret = 服務密鑰設定不正確，請聯絡管理員。
err-step-up-required = 此操作需要{ $required ->
        [L2] 完成實名認證
        [L3] 完成人臉識別認證
       *[other] 登入
    }（目前認證級別：{ $current }）。
err-not-found-session = 找不到這個登入裝置。

## 實名及人臉認證

err-id-number-format = 居民身份證號碼應為 18 位（最後一位可以是 X）。
err-id-number-check = 居民身份證號碼的校驗碼不正確，請核對後重新填寫。
err-id-number-birth-date = 居民身份證號碼中的出生日期不正確。
err-identity-mismatch = 姓名與居民身份證號碼核實不一致，請核對後重新填寫。
err-account-bound-elsewhere = 姓名與居民身份證號碼核實不一致，請核對後重新填寫。
err-face-sample = 人臉相片無效或過大（上限 { $max } 位元組），請重新拍攝。
err-face-mismatch = 人臉識別未能通過，請在光線充足的地方正對鏡頭重試。

## 法人（機構）

err-uscc-format = 統一社會信用代碼應為 18 位數字或大寫英文字母。
err-uscc-check = 統一社會信用代碼的校驗碼不正確，請核對後重新填寫。
err-only-persons-register-orgs = 請以個人身份登入後再登記機構。
err-org-registered = 這個機構已經登記。
err-org-verified-by-agents = 機構帳戶須由經辦人以個人身份認證。
err-act-as-person = 請以個人身份登入後再代表機構辦事。
err-not-found-organisation = 找不到這個機構，或您不是它的經辦人。

## 申請

err-not-found-application = 找不到這宗申請。
err-application-not-editable = 這宗申請的狀態為「{ $status }」，不能再修改。
err-too-many-answers = 每一步最多填寫 { $max } 項。
err-step-out-of-range = 沒有這一步（共 { $count } 步）。
err-step-ahead = 請先完成前面的步驟（目前在第 { $current } 步）。
err-application-answers-kind = 這宗申請的填寫方式已經更新，請重新整理頁面後再填寫這一步。
err-steps-not-done = 仍有步驟未填寫（已完成 { $current }/{ $count } 步）。
err-cannot-withdraw = 這宗申請的狀態為「{ $status }」，不能撤回。
err-cannot-move = 申請不能由「{ $from }」改為「{ $to }」。
err-result-too-long = 處理結果內容過長。

## 意見及訊息

err-banned-word = 內容含有不文明或不容許使用的字詞（{ $word }），未有提交。請修改後再試。
err-not-found-feedback = 找不到這項意見。
err-not-found-message = 找不到這則訊息。
err-not-found-history-entry = 找不到這項搜尋紀錄。
err-not-found-hot-rule = 沒有這項熱門搜尋規則。
err-hot-rule-query = 熱門搜尋字詞應為 1 至 30 個字，不含控制字元。

## 我的證照

err-not-found-licence = 找不到這張證照。
err-not-found-account = 找不到這個賬戶。
err-licence-revoked = 這張證照已被發證機關吊銷或註銷，不能加入或出示。
err-unknown-licence-type = 沒有這種證照類型（{ $type }）。
err-licence-has-no-field = 這種證照沒有「{ $field }」這一項。
err-field-names = 資料項名稱只可使用小寫英文字母、數字及底線，最多 { $max } 個字元。
err-too-many-fields = 最多選擇 { $max } 項資料。
err-presentation-request = 核實要求無效或已過期。
err-request-not-open = 這次核實要求已關閉或已過期，請核實方重新發出。
err-request-answered = 這次核實要求已經出示過了。
err-request-secret = 請附上核實要求的密鑰（Authorization: Bearer …）。
err-not-found-request = 找不到這次核實要求。
err-presentation-code = 這不是有效的出示碼。
err-presentation-unknown-code = 找不到這個出示碼。
err-presentation-not-for-verifier = 這個出示碼不是出示給本核實方或本次核實要求的。
err-presentation-replayed = 這個出示碼已經使用過，請持證人重新出示。
err-presentation-revoked = 證照已從「我的證照」刪除，或已被發證機關吊銷。
err-presentation-not-disclosed = 持證人沒有出示所需的資料（{ $field }）。
err-presentation-too-large = 出示內容過長（上限 { $max } 位元組）。
err-presentation-malformed = 出示內容格式不正確。
err-presentation-unknown-key = 無法識別簽發密鑰，出示碼可能已失效。
err-presentation-bad-signature = 簽名驗證失敗，出示內容可能被偽造或篡改。
err-presentation-expired = 出示碼已過期，請持證人重新出示。
err-presentation-not-yet-valid = 出示碼的簽發時間遲於目前時間，請檢查裝置的時間。
err-presentation-tampered = 證照資料與簽發內容不符，可能已被篡改。
err-presentation-key-binding = 持證人綁定驗證失敗。
err-presentation-wrong-audience = 這個出示碼不是出示給本核實方的。
err-presentation-wrong-nonce = 這個出示碼不是對本次核實要求的回應。

## 管理及部門介面

err-admin-disabled = 管理介面未啟用：未設定管理令牌。
err-admin-token = 請附上管理令牌（Authorization: Bearer …）。
err-fixed-engine = 這個服務使用固定的資料，不能重新載入。
err-reload-failed = 資料檔案有錯誤，仍沿用原來的資料：{ $reason }
err-operator-disabled = 部門介面未啟用：未設定部門令牌。
err-operator-token = 請附上部門令牌（Authorization: Bearer …）。
err-unknown-lang = 不支援這種語言。可選：zh-CN（簡體中文）、zh-HK（繁體中文）、en（English）。

## 查詢與證明（部門介面）

err-not-a-records-item = 這個事項不提供網上查詢。
err-not-a-certificate-item = 這個事項不提供網上開具證明。
err-param-unknown-filter = 這項查詢沒有這個篩選條件。
err-filter-pattern = 格式不正確，請核對後重新填寫。
err-filter-month-range = 請按「年-月/年-月」填寫，例如 2025-01/2025-12。
err-filter-date-range = 請按「年-月-日/年-月-日」填寫，例如 2025-01-01/2025-12-31。
err-filter-year = 請填寫四位數字的年份，例如 2025。
err-filter-choice = 請從提供的選項中選擇。
err-filter-plate = 請填寫完整的車牌號碼，例如 粵A12345。
err-filter-order = 結束時間不能早於開始時間。
err-filter-span = 查詢時段最長 { $months } 個月。
err-records-foreign-identifier = 只能查詢本人（或本單位、本人車輛）的資料。
err-certificate-purpose = 請選擇證明的用途：{ $choices }
err-idempotency-key = 冪等鍵只能使用字母、數字及 . _ : -，最多 64 個字元。
err-department-unavailable = 辦理部門的系統暫時無法連接，請稍後再試。其他服務不受影響。
err-department-busy = 辦理部門的系統繁忙，請稍後再試。
err-department-not-connected = 這項服務暫未接入部門系統，暫不支援網上辦理。
err-department-error = 辦理部門傳回的資料有誤，我們已記錄，請稍後再試。
err-department-refused = 辦理部門未能處理這項要求，請核對資料或向辦理部門查詢。
err-department-not-found = 辦理部門沒有找到相關資料。
err-department-bad-request = 辦理部門無法受理這項要求，請核對填寫的內容。
