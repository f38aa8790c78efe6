# Names of licence types and of their fields. Translated by hand from zh-CN/licences.ftl;
# when a licence type or field is added there, add it here.

## Resident ID Card e-credential

licence-type-resident-id-credential = Resident ID Card e-credential
licence-field-resident-id-credential-holder-name = Name
licence-field-resident-id-credential-holder = Citizen ID number
licence-field-resident-id-credential-gender = Sex
licence-field-resident-id-credential-birth-date = Date of birth
licence-field-resident-id-credential-address = Address
licence-field-resident-id-credential-number = Credential number
licence-field-resident-id-credential-authority = Issuing authority
licence-field-resident-id-credential-issued-on = Date of issue
licence-field-resident-id-credential-expires-on = Valid until

## Social Security Card

licence-type-social-security-card = Social Security Card
licence-field-social-security-card-holder-name = Name
licence-field-social-security-card-holder = Social security number
licence-field-social-security-card-number = Card number
licence-field-social-security-card-bank = Bank of the linked account
licence-field-social-security-card-authority = Card issuer
licence-field-social-security-card-issued-on = Date of issue
licence-field-social-security-card-expires-on = Valid until

## Passport

licence-type-passport = Passport
licence-field-passport-holder-name = Name
licence-field-passport-holder = Citizen ID number
licence-field-passport-number = Passport number
licence-field-passport-nationality = Nationality
licence-field-passport-authority = Issuing authority
licence-field-passport-issued-on = Date of issue
licence-field-passport-expires-on = Valid until

## Driving Licence

licence-type-driving-licence = Driving Licence
licence-field-driving-licence-holder-name = Name
licence-field-driving-licence-holder = Citizen ID number
licence-field-driving-licence-number = Licence number
licence-field-driving-licence-vehicle-class = Permitted vehicle class
licence-field-driving-licence-first-issued-on = Date first issued
licence-field-driving-licence-authority = Issuing authority
licence-field-driving-licence-issued-on = Valid from
licence-field-driving-licence-expires-on = Valid until

## Vehicle Licence

licence-type-vehicle-licence = Vehicle Licence
licence-field-vehicle-licence-holder-name = Owner
licence-field-vehicle-licence-holder = Owner's ID number
licence-field-vehicle-licence-number = File number
licence-field-vehicle-licence-plate = Plate number
licence-field-vehicle-licence-vehicle-type = Vehicle type
licence-field-vehicle-licence-authority = Issuing authority
licence-field-vehicle-licence-issued-on = Date of issue
licence-field-vehicle-licence-expires-on = Inspection valid until

## Exit-Entry Permit for Travelling to and from Hong Kong and Macao

licence-type-hk-macao-permit = Exit-Entry Permit for Travelling to and from Hong Kong and Macao
licence-field-hk-macao-permit-holder-name = Name
licence-field-hk-macao-permit-holder = Citizen ID number
licence-field-hk-macao-permit-number = Permit number
licence-field-hk-macao-permit-endorsement = Endorsement
licence-field-hk-macao-permit-authority = Issuing authority
licence-field-hk-macao-permit-issued-on = Date of issue
licence-field-hk-macao-permit-expires-on = Valid until

## Exit-Entry Permit for Travelling to and from Taiwan

licence-type-taiwan-permit = Exit-Entry Permit for Travelling to and from Taiwan
licence-field-taiwan-permit-holder-name = Name
licence-field-taiwan-permit-holder = Citizen ID number
licence-field-taiwan-permit-number = Permit number
licence-field-taiwan-permit-authority = Issuing authority
licence-field-taiwan-permit-issued-on = Date of issue
licence-field-taiwan-permit-expires-on = Valid until

## Disability Certificate

licence-type-disability-certificate = Disability Certificate
licence-field-disability-certificate-holder-name = Name
licence-field-disability-certificate-holder = Citizen ID number
licence-field-disability-certificate-number = Certificate number
licence-field-disability-certificate-category = Type of disability
licence-field-disability-certificate-grade = Disability grade
licence-field-disability-certificate-authority = Issuing authority
licence-field-disability-certificate-issued-on = Date of issue
licence-field-disability-certificate-expires-on = Valid until

## Residence Permit

licence-type-residence-permit = Residence Permit
licence-field-residence-permit-holder-name = Name
licence-field-residence-permit-holder = Citizen ID number
licence-field-residence-permit-number = Permit number
licence-field-residence-permit-residence = Address of residence
licence-field-residence-permit-authority = Issuing authority
licence-field-residence-permit-issued-on = Date of issue
licence-field-residence-permit-expires-on = Endorsement valid until

## Household Registration Certificate

licence-type-household-certificate = Household Registration Certificate
licence-field-household-certificate-holder-name = Name
licence-field-household-certificate-holder = Citizen ID number
licence-field-household-certificate-number = Certificate number
licence-field-household-certificate-household-address = Registered household address
licence-field-household-certificate-authority = Issued by
licence-field-household-certificate-issued-on = Date of issue
licence-field-household-certificate-expires-on = Valid until

## Certificate of No Criminal Record

licence-type-no-criminal-record = Certificate of No Criminal Record
licence-field-no-criminal-record-holder-name = Name
licence-field-no-criminal-record-holder = Citizen ID number
licence-field-no-criminal-record-number = Certificate number
licence-field-no-criminal-record-purpose = Purpose
licence-field-no-criminal-record-authority = Issued by
licence-field-no-criminal-record-issued-on = Date of issue
licence-field-no-criminal-record-expires-on = Valid until

## Medical Certificate of Birth

licence-type-birth-certificate = Medical Certificate of Birth
licence-field-birth-certificate-holder-name = Name of the newborn
licence-field-birth-certificate-holder = Citizen ID number
licence-field-birth-certificate-number = Certificate number
licence-field-birth-certificate-birth-date = Date of birth
licence-field-birth-certificate-birth-place = Place of birth
licence-field-birth-certificate-authority = Issuing institution
licence-field-birth-certificate-issued-on = Date of issue

## Marriage Registration Record Certificate

licence-type-marriage-record = Marriage Registration Record Certificate
licence-field-marriage-record-holder-name = Name
licence-field-marriage-record-holder = Citizen ID number
licence-field-marriage-record-number = Certificate number
licence-field-marriage-record-marital-status = Marriage registration status
licence-field-marriage-record-authority = Issuing authority
licence-field-marriage-record-issued-on = Date of issue
licence-field-marriage-record-expires-on = Valid until

## Social Insurance Certificate

licence-type-insurance-certificate = Social Insurance Certificate
licence-field-insurance-certificate-holder-name = Name
licence-field-insurance-certificate-holder = Social security number
licence-field-insurance-certificate-number = Certificate number
licence-field-insurance-certificate-insurance-types = Types of insurance
licence-field-insurance-certificate-period = Period insured
licence-field-insurance-certificate-authority = Issued by
licence-field-insurance-certificate-issued-on = Date of issue
licence-field-insurance-certificate-expires-on = Valid until

## Tax Payment Certificate

licence-type-tax-payment-certificate = Tax Payment Certificate
licence-field-tax-payment-certificate-holder-name = Taxpayer name
licence-field-tax-payment-certificate-holder = Taxpayer identification number
licence-field-tax-payment-certificate-number = Certificate number
licence-field-tax-payment-certificate-tax-period = Tax period
licence-field-tax-payment-certificate-amount = Amount paid (CNY)
licence-field-tax-payment-certificate-authority = Tax authority
licence-field-tax-payment-certificate-issued-on = Date of issue

## Real Estate Title Certificate

licence-type-property-certificate = Real Estate Title Certificate
licence-field-property-certificate-holder-name = Right holder
licence-field-property-certificate-holder = Right holder's ID number
licence-field-property-certificate-number = Title certificate number
licence-field-property-certificate-location = Location
licence-field-property-certificate-area = Area (m²)
licence-field-property-certificate-usage = Use
licence-field-property-certificate-authority = Registration authority
licence-field-property-certificate-issued-on = Date of registration

## Business Licence

licence-type-business-licence = Business Licence
licence-field-business-licence-holder-name = Name
licence-field-business-licence-holder = Unified Social Credit Code
licence-field-business-licence-number = Licence number
licence-field-business-licence-legal-representative = Legal representative
licence-field-business-licence-entity-type = Type
licence-field-business-licence-registered-capital = Registered capital
licence-field-business-licence-address = Registered address
licence-field-business-licence-authority = Registration authority
licence-field-business-licence-issued-on = Date of establishment
licence-field-business-licence-expires-on = Business term until

## Food Business Licence

licence-type-food-business-permit = Food Business Licence
licence-field-food-business-permit-holder-name = Business operator
licence-field-food-business-permit-holder = Unified Social Credit Code
licence-field-food-business-permit-number = Licence number
licence-field-food-business-permit-business-scope = Business activities
licence-field-food-business-permit-premises = Business premises
licence-field-food-business-permit-authority = Issuing authority
licence-field-food-business-permit-issued-on = Date of issue
licence-field-food-business-permit-expires-on = Valid until

## Housing Provident Fund Contribution Certificate

licence-type-housing-fund-deposit-certificate = Housing Provident Fund Contribution Certificate
licence-field-housing-fund-deposit-certificate-holder-name = Name
licence-field-housing-fund-deposit-certificate-holder = Citizen ID number
licence-field-housing-fund-deposit-certificate-number = Certificate number
licence-field-housing-fund-deposit-certificate-employer = Contributing employer
licence-field-housing-fund-deposit-certificate-account-opened-on = Date account opened
licence-field-housing-fund-deposit-certificate-deposit-base = Contribution base (CNY)
licence-field-housing-fund-deposit-certificate-monthly-amount = Monthly contribution (CNY)
licence-field-housing-fund-deposit-certificate-account-status = Account status
licence-field-housing-fund-deposit-certificate-paid-until = Paid up to (month)
licence-field-housing-fund-deposit-certificate-balance = Account balance (CNY)
licence-field-housing-fund-deposit-certificate-purpose = Purpose
licence-field-housing-fund-deposit-certificate-authority = Issued by
licence-field-housing-fund-deposit-certificate-issued-on = Date of issue
licence-field-housing-fund-deposit-certificate-expires-on = Valid until

## Personal Social Insurance Record

licence-type-social-insurance-rights-record = Personal Social Insurance Record
licence-field-social-insurance-rights-record-holder-name = Name
licence-field-social-insurance-rights-record-holder = Social security number
licence-field-social-insurance-rights-record-number = Record number
licence-field-social-insurance-rights-record-period = Period covered
licence-field-social-insurance-rights-record-employer = Current insured employer
licence-field-social-insurance-rights-record-insurance-status = Insurance status
licence-field-social-insurance-rights-record-pension-months = Pension insurance: months paid in total
licence-field-social-insurance-rights-record-pension-account = Pension insurance: personal account balance (CNY)
licence-field-social-insurance-rights-record-medical-months = Medical insurance: months paid in total
licence-field-social-insurance-rights-record-authority = Issued by
licence-field-social-insurance-rights-record-issued-on = Date of issue

## Medical Insurance Certificate

licence-type-medical-insurance-certificate = Medical Insurance Certificate
licence-field-medical-insurance-certificate-holder-name = Name
licence-field-medical-insurance-certificate-holder = Social security number
licence-field-medical-insurance-certificate-number = Certificate number
licence-field-medical-insurance-certificate-insurance-type = Type of insurance
licence-field-medical-insurance-certificate-insured-since = First insured (month)
licence-field-medical-insurance-certificate-paid-months = Months paid in total
licence-field-medical-insurance-certificate-insured-status = Insurance status
licence-field-medical-insurance-certificate-employer = Insured employer
licence-field-medical-insurance-certificate-purpose = Purpose
licence-field-medical-insurance-certificate-authority = Issued by
licence-field-medical-insurance-certificate-issued-on = Date of issue
licence-field-medical-insurance-certificate-expires-on = Can be verified until

## Public Credit Information Report

licence-type-public-credit-report = Public Credit Information Report
licence-field-public-credit-report-holder-name = Name of person or organisation
licence-field-public-credit-report-holder = Unified Social Credit Code / Citizen ID number
licence-field-public-credit-report-number = Report number
licence-field-public-credit-report-report-period = Period searched
licence-field-public-credit-report-scope = Areas covered
licence-field-public-credit-report-record-summary = Records of violations
licence-field-public-credit-report-purpose = Purpose
licence-field-public-credit-report-authority = Issued by
licence-field-public-credit-report-issued-on = Date of issue
licence-field-public-credit-report-expires-on = Valid until

## Certificate of Kinship

licence-type-kinship-certificate = Certificate of Kinship
licence-field-kinship-certificate-holder-name = Name
licence-field-kinship-certificate-holder = Citizen ID number
licence-field-kinship-certificate-number = Certificate number
licence-field-kinship-certificate-relative-name = Relative's name
licence-field-kinship-certificate-relative-id = Relative's citizen ID number
licence-field-kinship-certificate-relationship = Relationship
licence-field-kinship-certificate-household-address = Registered household address
licence-field-kinship-certificate-purpose = Purpose
licence-field-kinship-certificate-authority = Issued by
licence-field-kinship-certificate-issued-on = Date of issue
licence-field-kinship-certificate-expires-on = Valid until

## Certificate of Real Estate Registration Search Results

licence-type-property-record-certificate = Certificate of Real Estate Registration Search Results
licence-field-property-record-certificate-holder-name = Name
licence-field-property-record-certificate-holder = Citizen ID number
licence-field-property-record-certificate-number = Certificate number
licence-field-property-record-certificate-query-scope = Scope of the search
licence-field-property-record-certificate-query-result = Search result
licence-field-property-record-certificate-property-count = Number of properties
licence-field-property-record-certificate-locations = Property locations
licence-field-property-record-certificate-purpose = Purpose
licence-field-property-record-certificate-authority = Issued by
licence-field-property-record-certificate-issued-on = Date of issue
licence-field-property-record-certificate-expires-on = Valid until

## Certificate of Overseas Chinese Status

licence-type-overseas-chinese-certificate = Certificate of Overseas Chinese Status
licence-field-overseas-chinese-certificate-holder-name = Name
licence-field-overseas-chinese-certificate-holder = Citizen ID number
licence-field-overseas-chinese-certificate-number = Certificate number
licence-field-overseas-chinese-certificate-passport-number = Passport number
licence-field-overseas-chinese-certificate-residence-country = Country of settlement
licence-field-overseas-chinese-certificate-residence-permit = Long-term or permanent residence document of the country of residence
licence-field-overseas-chinese-certificate-settled-since = Date residence status obtained
licence-field-overseas-chinese-certificate-purpose = Purpose
licence-field-overseas-chinese-certificate-authority = Issued by
licence-field-overseas-chinese-certificate-issued-on = Date of issue
licence-field-overseas-chinese-certificate-expires-on = Valid until

## Payment receipt

licence-type-payment-receipt = Electronic Payment Receipt
licence-field-payment-receipt-holder-name = Payer
licence-field-payment-receipt-holder = Payer's ID number
licence-field-payment-receipt-number = Receipt number
licence-field-payment-receipt-item = Service
licence-field-payment-receipt-payee = Payee
licence-field-payment-receipt-account = Account paid
licence-field-payment-receipt-period = Period
licence-field-payment-receipt-amount = Amount (CNY)
licence-field-payment-receipt-paid-at = Paid at
licence-field-payment-receipt-authority = Issued by
licence-field-payment-receipt-issued-on = Date of issue
