# 辦理流程：逐項核對表格時的提示（problem+json 的 detail 與 errors[].message）。

err-not-found-flow = 這個事項不是網上辦理事項，沒有辦理流程。
err-not-found-flow-step = 這個辦理流程沒有這一步。
err-flows-unavailable = 辦理流程暫時無法使用，請稍後再試。
err-flow-too-many-answers = 每次最多核對 { $max } 項填寫內容。
err-invalid-answers = 有 { $count } 項填寫有誤，請按提示修改。

## 每一項的提示

err-field-required = 這一項必須填寫。
err-field-unknown = 這一步沒有這一項。
err-field-wrong-type-string = 請填寫文字。
err-field-wrong-type-number = 請填寫數字。
err-field-wrong-type-boolean = 請選擇「是」或「否」。
err-field-wrong-type-object = 請選擇所在地區並填寫詳細地址。
err-field-too-short = 最少填寫 { $min } 個字。
err-field-too-long = 最多填寫 { $max } 個字。
err-field-pattern = 填寫的格式不正確，請按提示填寫。
err-field-not-a-number = 請填寫數字，不要附帶單位或其他文字。
err-field-too-small = 不能小於 { $min }。
err-field-too-large = 不能大於 { $max }。
err-field-too-many-decimals = { $decimals ->
        [0] 請填寫整數。
       *[other] 最多保留 { $decimals } 位小數。
    }
err-field-not-a-date = 請選擇日期（年-月-日）。
err-field-too-early = 日期不能早於 { $min }。
err-field-too-late = 日期不能晚於 { $max }。
err-field-not-an-option = 請從選項中選擇一項。
err-field-id-number = 居民身份證號碼應為 18 位（最後一位可以是 X）。
err-field-id-number-check = 居民身份證號碼的校驗碼不正確，請核對後重新填寫。
err-field-id-number-birth-date = 居民身份證號碼中的出生日期不正確。
err-field-uscc = 統一社會信用代碼應為 18 位數字或大寫英文字母。
err-field-uscc-check = 統一社會信用代碼的校驗碼不正確，請核對後重新填寫。
err-field-phone = 請填寫 11 位數字的中國內地手機號碼。
err-field-address-code = 請選擇廣東省內的區縣或鎮街。
err-field-address-detail = 請填寫詳細地址（街道、門牌號碼等）。
err-field-control-characters = 含有不可見的控制字元，請刪除後重試。
err-field-read-only = 這一項來自您的實名資料，不能修改。

## 網上申請逐項填寫（issue 24）

err-step-department = 「{ $title }」這一步由辦理部門完成，不需要您填寫。
err-answers-text = 這宗申請的每一項請填寫文字。
err-submit-invalid-answers = 第 { $step } 步「{ $title }」有 { $count } 項需要修改，請返回這一步按提示修改後再提交。
