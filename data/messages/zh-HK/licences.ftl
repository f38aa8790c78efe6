# 證照類型名稱及資料項名稱。根據 zh-CN/licences.ftl 人手翻譯；
# 該檔案新增證照類型或資料項時，請在此同步加入。

## 居民身份電子憑證

licence-type-resident-id-credential = 居民身份電子憑證
licence-field-resident-id-credential-holder-name = 姓名
licence-field-resident-id-credential-holder = 公民身份號碼
licence-field-resident-id-credential-gender = 性別
licence-field-resident-id-credential-birth-date = 出生日期
licence-field-resident-id-credential-address = 住址
licence-field-resident-id-credential-number = 憑證編號
licence-field-resident-id-credential-authority = 簽發機關
licence-field-resident-id-credential-issued-on = 簽發日期
licence-field-resident-id-credential-expires-on = 有效期至

## 社會保障卡

licence-type-social-security-card = 社會保障卡
licence-field-social-security-card-holder-name = 姓名
licence-field-social-security-card-holder = 社會保障號碼
licence-field-social-security-card-number = 卡號
licence-field-social-security-card-bank = 金融帳戶開戶銀行
licence-field-social-security-card-authority = 發卡機構
licence-field-social-security-card-issued-on = 發卡日期
licence-field-social-security-card-expires-on = 有效期至

## 護照

licence-type-passport = 護照
licence-field-passport-holder-name = 姓名
licence-field-passport-holder = 公民身份號碼
licence-field-passport-number = 護照號碼
licence-field-passport-nationality = 國籍
licence-field-passport-authority = 簽發機關
licence-field-passport-issued-on = 簽發日期
licence-field-passport-expires-on = 有效期至

## 駕駛證

licence-type-driving-licence = 駕駛證
licence-field-driving-licence-holder-name = 姓名
licence-field-driving-licence-holder = 公民身份號碼
licence-field-driving-licence-number = 證號
licence-field-driving-licence-vehicle-class = 準駕車型
licence-field-driving-licence-first-issued-on = 初次領證日期
licence-field-driving-licence-authority = 發證機關
licence-field-driving-licence-issued-on = 有效期起始日期
licence-field-driving-licence-expires-on = 有效期至

## 行駛證

licence-type-vehicle-licence = 行駛證
licence-field-vehicle-licence-holder-name = 所有人
licence-field-vehicle-licence-holder = 所有人身份號碼
licence-field-vehicle-licence-number = 檔案編號
licence-field-vehicle-licence-plate = 號牌號碼
licence-field-vehicle-licence-vehicle-type = 車輛類型
licence-field-vehicle-licence-authority = 發證機關
licence-field-vehicle-licence-issued-on = 發證日期
licence-field-vehicle-licence-expires-on = 檢驗有效期至

## 往來港澳通行證

licence-type-hk-macao-permit = 往來港澳通行證
licence-field-hk-macao-permit-holder-name = 姓名
licence-field-hk-macao-permit-holder = 公民身份號碼
licence-field-hk-macao-permit-number = 證件號碼
licence-field-hk-macao-permit-endorsement = 簽注
licence-field-hk-macao-permit-authority = 簽發機關
licence-field-hk-macao-permit-issued-on = 簽發日期
licence-field-hk-macao-permit-expires-on = 有效期至

## 往來台灣通行證

licence-type-taiwan-permit = 往來台灣通行證
licence-field-taiwan-permit-holder-name = 姓名
licence-field-taiwan-permit-holder = 公民身份號碼
licence-field-taiwan-permit-number = 證件號碼
licence-field-taiwan-permit-authority = 簽發機關
licence-field-taiwan-permit-issued-on = 簽發日期
licence-field-taiwan-permit-expires-on = 有效期至

## 殘疾人證

licence-type-disability-certificate = 殘疾人證
licence-field-disability-certificate-holder-name = 姓名
licence-field-disability-certificate-holder = 公民身份號碼
licence-field-disability-certificate-number = 殘疾人證號
licence-field-disability-certificate-category = 殘疾類別
licence-field-disability-certificate-grade = 殘疾等級
licence-field-disability-certificate-authority = 發證機關
licence-field-disability-certificate-issued-on = 發證日期
licence-field-disability-certificate-expires-on = 有效期至

## 居住證

licence-type-residence-permit = 居住證
licence-field-residence-permit-holder-name = 姓名
licence-field-residence-permit-holder = 公民身份號碼
licence-field-residence-permit-number = 居住證編號
licence-field-residence-permit-residence = 居住地址
licence-field-residence-permit-authority = 簽發機關
licence-field-residence-permit-issued-on = 簽發日期
licence-field-residence-permit-expires-on = 簽注有效期至

## 戶籍證明

licence-type-household-certificate = 戶籍證明
licence-field-household-certificate-holder-name = 姓名
licence-field-household-certificate-holder = 公民身份號碼
licence-field-household-certificate-number = 證明編號
licence-field-household-certificate-household-address = 戶籍地址
licence-field-household-certificate-authority = 出具單位
licence-field-household-certificate-issued-on = 出具日期
licence-field-household-certificate-expires-on = 有效期至

## 無犯罪記錄證明

licence-type-no-criminal-record = 無犯罪記錄證明
licence-field-no-criminal-record-holder-name = 姓名
licence-field-no-criminal-record-holder = 公民身份號碼
licence-field-no-criminal-record-number = 證明編號
licence-field-no-criminal-record-purpose = 用途
licence-field-no-criminal-record-authority = 出具單位
licence-field-no-criminal-record-issued-on = 出具日期
licence-field-no-criminal-record-expires-on = 有效期至

## 出生醫學證明

licence-type-birth-certificate = 出生醫學證明
licence-field-birth-certificate-holder-name = 新生兒姓名
licence-field-birth-certificate-holder = 公民身份號碼
licence-field-birth-certificate-number = 出生醫學證明編號
licence-field-birth-certificate-birth-date = 出生日期
licence-field-birth-certificate-birth-place = 出生地點
licence-field-birth-certificate-authority = 簽發機構
licence-field-birth-certificate-issued-on = 簽發日期

## 婚姻登記證明

licence-type-marriage-record = 婚姻登記證明
licence-field-marriage-record-holder-name = 姓名
licence-field-marriage-record-holder = 公民身份號碼
licence-field-marriage-record-number = 證明編號
licence-field-marriage-record-marital-status = 婚姻登記狀況
licence-field-marriage-record-authority = 出具機關
licence-field-marriage-record-issued-on = 出具日期
licence-field-marriage-record-expires-on = 有效期至

## 參保證明

licence-type-insurance-certificate = 參保證明
licence-field-insurance-certificate-holder-name = 姓名
licence-field-insurance-certificate-holder = 社會保障號碼
licence-field-insurance-certificate-number = 證明編號
licence-field-insurance-certificate-insurance-types = 參保險種
licence-field-insurance-certificate-period = 參保期間
licence-field-insurance-certificate-authority = 出具機構
licence-field-insurance-certificate-issued-on = 出具日期
licence-field-insurance-certificate-expires-on = 有效期至

## 完稅證明

licence-type-tax-payment-certificate = 完稅證明
licence-field-tax-payment-certificate-holder-name = 納稅人名稱
licence-field-tax-payment-certificate-holder = 納稅人識別號
licence-field-tax-payment-certificate-number = 稅收完稅證明號碼
licence-field-tax-payment-certificate-tax-period = 所屬期間
licence-field-tax-payment-certificate-amount = 實繳金額（元）
licence-field-tax-payment-certificate-authority = 稅務機關
licence-field-tax-payment-certificate-issued-on = 開具日期

## 不動產權證明

licence-type-property-certificate = 不動產權證明
licence-field-property-certificate-holder-name = 權利人
licence-field-property-certificate-holder = 權利人證件號碼
licence-field-property-certificate-number = 不動產權證號
licence-field-property-certificate-location = 坐落
licence-field-property-certificate-area = 面積（平方米）
licence-field-property-certificate-usage = 用途
licence-field-property-certificate-authority = 登記機構
licence-field-property-certificate-issued-on = 登記日期

## 營業執照

licence-type-business-licence = 營業執照
licence-field-business-licence-holder-name = 名稱
licence-field-business-licence-holder = 統一社會信用代碼
licence-field-business-licence-number = 執照編號
licence-field-business-licence-legal-representative = 法定代表人
licence-field-business-licence-entity-type = 類型
licence-field-business-licence-registered-capital = 註冊資本
licence-field-business-licence-address = 住所
licence-field-business-licence-authority = 登記機關
licence-field-business-licence-issued-on = 成立日期
licence-field-business-licence-expires-on = 營業期限至

## 食品經營許可證

licence-type-food-business-permit = 食品經營許可證
licence-field-food-business-permit-holder-name = 經營者名稱
licence-field-food-business-permit-holder = 統一社會信用代碼
licence-field-food-business-permit-number = 許可證編號
licence-field-food-business-permit-business-scope = 經營項目
licence-field-food-business-permit-premises = 經營場所
licence-field-food-business-permit-authority = 發證機關
licence-field-food-business-permit-issued-on = 發證日期
licence-field-food-business-permit-expires-on = 有效期至

## 住房公積金繳存證明

licence-type-housing-fund-deposit-certificate = 住房公積金繳存證明
licence-field-housing-fund-deposit-certificate-holder-name = 姓名
licence-field-housing-fund-deposit-certificate-holder = 公民身份號碼
licence-field-housing-fund-deposit-certificate-number = 證明編號
licence-field-housing-fund-deposit-certificate-employer = 繳存單位
licence-field-housing-fund-deposit-certificate-account-opened-on = 開戶日期
licence-field-housing-fund-deposit-certificate-deposit-base = 繳存基數（元）
licence-field-housing-fund-deposit-certificate-monthly-amount = 月繳存額（元）
licence-field-housing-fund-deposit-certificate-account-status = 帳戶狀態
licence-field-housing-fund-deposit-certificate-paid-until = 繳至年月
licence-field-housing-fund-deposit-certificate-balance = 帳戶餘額（元）
licence-field-housing-fund-deposit-certificate-purpose = 用途
licence-field-housing-fund-deposit-certificate-authority = 出具單位
licence-field-housing-fund-deposit-certificate-issued-on = 出具日期
licence-field-housing-fund-deposit-certificate-expires-on = 有效期至

## 社會保險個人權益記錄單

licence-type-social-insurance-rights-record = 社會保險個人權益記錄單
licence-field-social-insurance-rights-record-holder-name = 姓名
licence-field-social-insurance-rights-record-holder = 社會保障號碼
licence-field-social-insurance-rights-record-number = 記錄單編號
licence-field-social-insurance-rights-record-period = 記錄期間
licence-field-social-insurance-rights-record-employer = 當前參保單位
licence-field-social-insurance-rights-record-insurance-status = 參保狀態
licence-field-social-insurance-rights-record-pension-months = 養老保險累計繳費月數
licence-field-social-insurance-rights-record-pension-account = 養老保險個人帳戶累計儲存額（元）
licence-field-social-insurance-rights-record-medical-months = 醫療保險累計繳費月數
licence-field-social-insurance-rights-record-authority = 出具機構
licence-field-social-insurance-rights-record-issued-on = 出具日期

## 醫療保險參保憑證

licence-type-medical-insurance-certificate = 醫療保險參保憑證
licence-field-medical-insurance-certificate-holder-name = 姓名
licence-field-medical-insurance-certificate-holder = 社會保障號碼
licence-field-medical-insurance-certificate-number = 憑證編號
licence-field-medical-insurance-certificate-insurance-type = 參保險種
licence-field-medical-insurance-certificate-insured-since = 首次參保年月
licence-field-medical-insurance-certificate-paid-months = 累計繳費月數
licence-field-medical-insurance-certificate-insured-status = 參保狀態
licence-field-medical-insurance-certificate-employer = 參保單位
licence-field-medical-insurance-certificate-purpose = 用途
licence-field-medical-insurance-certificate-authority = 出具機構
licence-field-medical-insurance-certificate-issued-on = 出具日期
licence-field-medical-insurance-certificate-expires-on = 驗證有效期至

## 公共信用信息報告

licence-type-public-credit-report = 公共信用信息報告
licence-field-public-credit-report-holder-name = 主體名稱
licence-field-public-credit-report-holder = 統一社會信用代碼/公民身份號碼
licence-field-public-credit-report-number = 報告編號
licence-field-public-credit-report-report-period = 查詢期間
licence-field-public-credit-report-scope = 涵蓋領域
licence-field-public-credit-report-record-summary = 違法違規記錄
licence-field-public-credit-report-purpose = 用途
licence-field-public-credit-report-authority = 出具單位
licence-field-public-credit-report-issued-on = 出具日期
licence-field-public-credit-report-expires-on = 有效期至

## 親屬關係證明

licence-type-kinship-certificate = 親屬關係證明
licence-field-kinship-certificate-holder-name = 姓名
licence-field-kinship-certificate-holder = 公民身份號碼
licence-field-kinship-certificate-number = 證明編號
licence-field-kinship-certificate-relative-name = 親屬姓名
licence-field-kinship-certificate-relative-id = 親屬公民身份號碼
licence-field-kinship-certificate-relationship = 親屬關係
licence-field-kinship-certificate-household-address = 戶籍地址
licence-field-kinship-certificate-purpose = 用途
licence-field-kinship-certificate-authority = 出具單位
licence-field-kinship-certificate-issued-on = 出具日期
licence-field-kinship-certificate-expires-on = 有效期至

## 不動產登記資料查詢結果證明

licence-type-property-record-certificate = 不動產登記資料查詢結果證明
licence-field-property-record-certificate-holder-name = 姓名
licence-field-property-record-certificate-holder = 公民身份號碼
licence-field-property-record-certificate-number = 證明編號
licence-field-property-record-certificate-query-scope = 查詢範圍
licence-field-property-record-certificate-query-result = 查詢結果
licence-field-property-record-certificate-property-count = 不動產數量（處）
licence-field-property-record-certificate-locations = 不動產坐落
licence-field-property-record-certificate-purpose = 用途
licence-field-property-record-certificate-authority = 出具機構
licence-field-property-record-certificate-issued-on = 出具日期
licence-field-property-record-certificate-expires-on = 有效期至

## 華僑身份證明

licence-type-overseas-chinese-certificate = 華僑身份證明
licence-field-overseas-chinese-certificate-holder-name = 姓名
licence-field-overseas-chinese-certificate-holder = 公民身份號碼
licence-field-overseas-chinese-certificate-number = 證明編號
licence-field-overseas-chinese-certificate-passport-number = 護照號碼
licence-field-overseas-chinese-certificate-residence-country = 定居國家
licence-field-overseas-chinese-certificate-residence-permit = 居住國長期或永久居留證件
licence-field-overseas-chinese-certificate-settled-since = 取得居留資格日期
licence-field-overseas-chinese-certificate-purpose = 用途
licence-field-overseas-chinese-certificate-authority = 出具單位
licence-field-overseas-chinese-certificate-issued-on = 出具日期
licence-field-overseas-chinese-certificate-expires-on = 有效期至

## 電子繳費票據

licence-type-payment-receipt = 電子繳費票據
licence-field-payment-receipt-holder-name = 繳款人
licence-field-payment-receipt-holder = 繳款人證件號碼
licence-field-payment-receipt-number = 票據號碼
licence-field-payment-receipt-item = 繳費項目
licence-field-payment-receipt-payee = 收款單位
licence-field-payment-receipt-account = 繳費賬號
licence-field-payment-receipt-period = 所屬期間
licence-field-payment-receipt-amount = 金額（元）
licence-field-payment-receipt-paid-at = 繳費時間
licence-field-payment-receipt-authority = 開票單位
licence-field-payment-receipt-issued-on = 開票日期
