# 证照类型名称与信息项名称。由 scripts/licence_messages.py 从
# data/wallet/licence_types.json 生成：请改数据文件，再运行脚本。

## 居民身份电子凭证

licence-type-resident-id-credential = 居民身份电子凭证
licence-field-resident-id-credential-holder-name = 姓名
licence-field-resident-id-credential-holder = 公民身份号码
licence-field-resident-id-credential-gender = 性别
licence-field-resident-id-credential-birth-date = 出生日期
licence-field-resident-id-credential-address = 住址
licence-field-resident-id-credential-number = 凭证编号
licence-field-resident-id-credential-authority = 签发机关
licence-field-resident-id-credential-issued-on = 签发日期
licence-field-resident-id-credential-expires-on = 有效期至

## 社会保障卡

licence-type-social-security-card = 社会保障卡
licence-field-social-security-card-holder-name = 姓名
licence-field-social-security-card-holder = 社会保障号码
licence-field-social-security-card-number = 卡号
licence-field-social-security-card-bank = 金融账户开户行
licence-field-social-security-card-authority = 发卡机构
licence-field-social-security-card-issued-on = 发卡日期
licence-field-social-security-card-expires-on = 有效期至

## 护照

licence-type-passport = 护照
licence-field-passport-holder-name = 姓名
licence-field-passport-holder = 公民身份号码
licence-field-passport-number = 护照号码
licence-field-passport-nationality = 国籍
licence-field-passport-authority = 签发机关
licence-field-passport-issued-on = 签发日期
licence-field-passport-expires-on = 有效期至

## 驾驶证

licence-type-driving-licence = 驾驶证
licence-field-driving-licence-holder-name = 姓名
licence-field-driving-licence-holder = 公民身份号码
licence-field-driving-licence-number = 证号
licence-field-driving-licence-vehicle-class = 准驾车型
licence-field-driving-licence-first-issued-on = 初次领证日期
licence-field-driving-licence-authority = 发证机关
licence-field-driving-licence-issued-on = 有效期起始日期
licence-field-driving-licence-expires-on = 有效期至

## 行驶证

licence-type-vehicle-licence = 行驶证
licence-field-vehicle-licence-holder-name = 所有人
licence-field-vehicle-licence-holder = 所有人身份号码
licence-field-vehicle-licence-number = 档案编号
licence-field-vehicle-licence-plate = 号牌号码
licence-field-vehicle-licence-vehicle-type = 车辆类型
licence-field-vehicle-licence-authority = 发证机关
licence-field-vehicle-licence-issued-on = 发证日期
licence-field-vehicle-licence-expires-on = 检验有效期至

## 往来港澳通行证

licence-type-hk-macao-permit = 往来港澳通行证
licence-field-hk-macao-permit-holder-name = 姓名
licence-field-hk-macao-permit-holder = 公民身份号码
licence-field-hk-macao-permit-number = 证件号码
licence-field-hk-macao-permit-endorsement = 签注
licence-field-hk-macao-permit-authority = 签发机关
licence-field-hk-macao-permit-issued-on = 签发日期
licence-field-hk-macao-permit-expires-on = 有效期至

## 往来台湾通行证

licence-type-taiwan-permit = 往来台湾通行证
licence-field-taiwan-permit-holder-name = 姓名
licence-field-taiwan-permit-holder = 公民身份号码
licence-field-taiwan-permit-number = 证件号码
licence-field-taiwan-permit-authority = 签发机关
licence-field-taiwan-permit-issued-on = 签发日期
licence-field-taiwan-permit-expires-on = 有效期至

## 残疾人证

licence-type-disability-certificate = 残疾人证
licence-field-disability-certificate-holder-name = 姓名
licence-field-disability-certificate-holder = 公民身份号码
licence-field-disability-certificate-number = 残疾人证号
licence-field-disability-certificate-category = 残疾类别
licence-field-disability-certificate-grade = 残疾等级
licence-field-disability-certificate-authority = 发证机关
licence-field-disability-certificate-issued-on = 发证日期
licence-field-disability-certificate-expires-on = 有效期至

## 居住证

licence-type-residence-permit = 居住证
licence-field-residence-permit-holder-name = 姓名
licence-field-residence-permit-holder = 公民身份号码
licence-field-residence-permit-number = 居住证编号
licence-field-residence-permit-residence = 居住地址
licence-field-residence-permit-authority = 签发机关
licence-field-residence-permit-issued-on = 签发日期
licence-field-residence-permit-expires-on = 签注有效期至

## 户籍证明

licence-type-household-certificate = 户籍证明
licence-field-household-certificate-holder-name = 姓名
licence-field-household-certificate-holder = 公民身份号码
licence-field-household-certificate-number = 证明编号
licence-field-household-certificate-household-address = 户籍地址
licence-field-household-certificate-authority = 出具单位
licence-field-household-certificate-issued-on = 出具日期
licence-field-household-certificate-expires-on = 有效期至

## 无犯罪记录证明

licence-type-no-criminal-record = 无犯罪记录证明
licence-field-no-criminal-record-holder-name = 姓名
licence-field-no-criminal-record-holder = 公民身份号码
licence-field-no-criminal-record-number = 证明编号
licence-field-no-criminal-record-purpose = 用途
licence-field-no-criminal-record-authority = 出具单位
licence-field-no-criminal-record-issued-on = 出具日期
licence-field-no-criminal-record-expires-on = 有效期至

## 出生医学证明

licence-type-birth-certificate = 出生医学证明
licence-field-birth-certificate-holder-name = 新生儿姓名
licence-field-birth-certificate-holder = 公民身份号码
licence-field-birth-certificate-number = 出生医学证明编号
licence-field-birth-certificate-birth-date = 出生日期
licence-field-birth-certificate-birth-place = 出生地点
licence-field-birth-certificate-authority = 签发机构
licence-field-birth-certificate-issued-on = 签发日期

## 婚姻登记证明

licence-type-marriage-record = 婚姻登记证明
licence-field-marriage-record-holder-name = 姓名
licence-field-marriage-record-holder = 公民身份号码
licence-field-marriage-record-number = 证明编号
licence-field-marriage-record-marital-status = 婚姻登记状况
licence-field-marriage-record-authority = 出具机关
licence-field-marriage-record-issued-on = 出具日期
licence-field-marriage-record-expires-on = 有效期至

## 参保证明

licence-type-insurance-certificate = 参保证明
licence-field-insurance-certificate-holder-name = 姓名
licence-field-insurance-certificate-holder = 社会保障号码
licence-field-insurance-certificate-number = 证明编号
licence-field-insurance-certificate-insurance-types = 参保险种
licence-field-insurance-certificate-period = 参保期间
licence-field-insurance-certificate-authority = 出具机构
licence-field-insurance-certificate-issued-on = 出具日期
licence-field-insurance-certificate-expires-on = 有效期至

## 完税证明

licence-type-tax-payment-certificate = 完税证明
licence-field-tax-payment-certificate-holder-name = 纳税人名称
licence-field-tax-payment-certificate-holder = 纳税人识别号
licence-field-tax-payment-certificate-number = 税收完税证明号码
licence-field-tax-payment-certificate-tax-period = 所属期间
licence-field-tax-payment-certificate-amount = 实缴金额（元）
licence-field-tax-payment-certificate-authority = 税务机关
licence-field-tax-payment-certificate-issued-on = 开具日期

## 不动产权证明

licence-type-property-certificate = 不动产权证明
licence-field-property-certificate-holder-name = 权利人
licence-field-property-certificate-holder = 权利人证件号码
licence-field-property-certificate-number = 不动产权证号
licence-field-property-certificate-location = 坐落
licence-field-property-certificate-area = 面积（平方米）
licence-field-property-certificate-usage = 用途
licence-field-property-certificate-authority = 登记机构
licence-field-property-certificate-issued-on = 登记日期

## 营业执照

licence-type-business-licence = 营业执照
licence-field-business-licence-holder-name = 名称
licence-field-business-licence-holder = 统一社会信用代码
licence-field-business-licence-number = 执照编号
licence-field-business-licence-legal-representative = 法定代表人
licence-field-business-licence-entity-type = 类型
licence-field-business-licence-registered-capital = 注册资本
licence-field-business-licence-address = 住所
licence-field-business-licence-authority = 登记机关
licence-field-business-licence-issued-on = 成立日期
licence-field-business-licence-expires-on = 营业期限至

## 食品经营许可证

licence-type-food-business-permit = 食品经营许可证
licence-field-food-business-permit-holder-name = 经营者名称
licence-field-food-business-permit-holder = 统一社会信用代码
licence-field-food-business-permit-number = 许可证编号
licence-field-food-business-permit-business-scope = 经营项目
licence-field-food-business-permit-premises = 经营场所
licence-field-food-business-permit-authority = 发证机关
licence-field-food-business-permit-issued-on = 发证日期
licence-field-food-business-permit-expires-on = 有效期至

## 住房公积金缴存证明

licence-type-housing-fund-deposit-certificate = 住房公积金缴存证明
licence-field-housing-fund-deposit-certificate-holder-name = 姓名
licence-field-housing-fund-deposit-certificate-holder = 公民身份号码
licence-field-housing-fund-deposit-certificate-number = 证明编号
licence-field-housing-fund-deposit-certificate-employer = 缴存单位
licence-field-housing-fund-deposit-certificate-account-opened-on = 开户日期
licence-field-housing-fund-deposit-certificate-deposit-base = 缴存基数（元）
licence-field-housing-fund-deposit-certificate-monthly-amount = 月缴存额（元）
licence-field-housing-fund-deposit-certificate-account-status = 账户状态
licence-field-housing-fund-deposit-certificate-paid-until = 缴至年月
licence-field-housing-fund-deposit-certificate-balance = 账户余额（元）
licence-field-housing-fund-deposit-certificate-purpose = 用途
licence-field-housing-fund-deposit-certificate-authority = 出具单位
licence-field-housing-fund-deposit-certificate-issued-on = 出具日期
licence-field-housing-fund-deposit-certificate-expires-on = 有效期至

## 社会保险个人权益记录单

licence-type-social-insurance-rights-record = 社会保险个人权益记录单
licence-field-social-insurance-rights-record-holder-name = 姓名
licence-field-social-insurance-rights-record-holder = 社会保障号码
licence-field-social-insurance-rights-record-number = 记录单编号
licence-field-social-insurance-rights-record-period = 记录期间
licence-field-social-insurance-rights-record-employer = 当前参保单位
licence-field-social-insurance-rights-record-insurance-status = 参保状态
licence-field-social-insurance-rights-record-pension-months = 养老保险累计缴费月数
licence-field-social-insurance-rights-record-pension-account = 养老保险个人账户累计储存额（元）
licence-field-social-insurance-rights-record-medical-months = 医疗保险累计缴费月数
licence-field-social-insurance-rights-record-authority = 出具机构
licence-field-social-insurance-rights-record-issued-on = 出具日期

## 医疗保险参保凭证

licence-type-medical-insurance-certificate = 医疗保险参保凭证
licence-field-medical-insurance-certificate-holder-name = 姓名
licence-field-medical-insurance-certificate-holder = 社会保障号码
licence-field-medical-insurance-certificate-number = 凭证编号
licence-field-medical-insurance-certificate-insurance-type = 参保险种
licence-field-medical-insurance-certificate-insured-since = 首次参保年月
licence-field-medical-insurance-certificate-paid-months = 累计缴费月数
licence-field-medical-insurance-certificate-insured-status = 参保状态
licence-field-medical-insurance-certificate-employer = 参保单位
licence-field-medical-insurance-certificate-purpose = 用途
licence-field-medical-insurance-certificate-authority = 出具机构
licence-field-medical-insurance-certificate-issued-on = 出具日期
licence-field-medical-insurance-certificate-expires-on = 验证有效期至

## 公共信用信息报告

licence-type-public-credit-report = 公共信用信息报告
licence-field-public-credit-report-holder-name = 主体名称
licence-field-public-credit-report-holder = 统一社会信用代码/公民身份号码
licence-field-public-credit-report-number = 报告编号
licence-field-public-credit-report-report-period = 查询期间
licence-field-public-credit-report-scope = 涵盖领域
licence-field-public-credit-report-record-summary = 违法违规记录
licence-field-public-credit-report-purpose = 用途
licence-field-public-credit-report-authority = 出具单位
licence-field-public-credit-report-issued-on = 出具日期
licence-field-public-credit-report-expires-on = 有效期至

## 亲属关系证明

licence-type-kinship-certificate = 亲属关系证明
licence-field-kinship-certificate-holder-name = 姓名
licence-field-kinship-certificate-holder = 公民身份号码
licence-field-kinship-certificate-number = 证明编号
licence-field-kinship-certificate-relative-name = 亲属姓名
licence-field-kinship-certificate-relative-id = 亲属公民身份号码
licence-field-kinship-certificate-relationship = 亲属关系
licence-field-kinship-certificate-household-address = 户籍地址
licence-field-kinship-certificate-purpose = 用途
licence-field-kinship-certificate-authority = 出具单位
licence-field-kinship-certificate-issued-on = 出具日期
licence-field-kinship-certificate-expires-on = 有效期至

## 不动产登记资料查询结果证明

licence-type-property-record-certificate = 不动产登记资料查询结果证明
licence-field-property-record-certificate-holder-name = 姓名
licence-field-property-record-certificate-holder = 公民身份号码
licence-field-property-record-certificate-number = 证明编号
licence-field-property-record-certificate-query-scope = 查询范围
licence-field-property-record-certificate-query-result = 查询结果
licence-field-property-record-certificate-property-count = 不动产数量（处）
licence-field-property-record-certificate-locations = 不动产坐落
licence-field-property-record-certificate-purpose = 用途
licence-field-property-record-certificate-authority = 出具机构
licence-field-property-record-certificate-issued-on = 出具日期
licence-field-property-record-certificate-expires-on = 有效期至

## 华侨身份证明

licence-type-overseas-chinese-certificate = 华侨身份证明
licence-field-overseas-chinese-certificate-holder-name = 姓名
licence-field-overseas-chinese-certificate-holder = 公民身份号码
licence-field-overseas-chinese-certificate-number = 证明编号
licence-field-overseas-chinese-certificate-passport-number = 护照号码
licence-field-overseas-chinese-certificate-residence-country = 定居国家
licence-field-overseas-chinese-certificate-residence-permit = 居住国长期或永久居留证件
licence-field-overseas-chinese-certificate-settled-since = 取得居留资格日期
licence-field-overseas-chinese-certificate-purpose = 用途
licence-field-overseas-chinese-certificate-authority = 出具单位
licence-field-overseas-chinese-certificate-issued-on = 出具日期
licence-field-overseas-chinese-certificate-expires-on = 有效期至

## 电子缴费票据

licence-type-payment-receipt = 电子缴费票据
licence-field-payment-receipt-holder-name = 缴款人
licence-field-payment-receipt-holder = 缴款人证件号码
licence-field-payment-receipt-number = 票据号码
licence-field-payment-receipt-item = 缴费项目
licence-field-payment-receipt-payee = 收款单位
licence-field-payment-receipt-account = 缴费账号
licence-field-payment-receipt-period = 所属期间
licence-field-payment-receipt-amount = 金额（元）
licence-field-payment-receipt-paid-at = 缴费时间
licence-field-payment-receipt-authority = 开票单位
licence-field-payment-receipt-issued-on = 开票日期
