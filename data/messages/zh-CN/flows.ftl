# 办理流程：逐项核对表单时的提示（problem+json 的 detail 与 errors[].message）。
# 写给办事的人看：说清楚哪一项不对、怎么改；不复述对方填写的内容。

err-not-found-flow = 这个事项不是在线办理事项，没有办理流程。
err-not-found-flow-step = 这个办理流程没有这一步。
err-flows-unavailable = 办理流程暂时无法使用，请稍后再试。
err-flow-too-many-answers = 一次最多核对 { $max } 项填写内容。
err-invalid-answers = 有 { $count } 项填写有误，请按提示修改。

## 每一项的提示

err-field-required = 这一项必须填写。
err-field-unknown = 这一步没有这一项。
err-field-wrong-type-string = 请填写文字。
err-field-wrong-type-number = 请填写数字。
err-field-wrong-type-boolean = 请选择“是”或“否”。
err-field-wrong-type-object = 请选择所在地区并填写详细地址。
err-field-too-short = 至少填写 { $min } 个字。
err-field-too-long = 最多填写 { $max } 个字。
err-field-pattern = 填写的格式不正确，请按提示填写。
err-field-not-a-number = 请填写数字，不要带单位或其他文字。
err-field-too-small = 不能小于 { $min }。
err-field-too-large = 不能大于 { $max }。
err-field-too-many-decimals = { $decimals ->
        [0] 请填写整数。
       *[other] 最多保留 { $decimals } 位小数。
    }
err-field-not-a-date = 请选择日期（年-月-日）。
err-field-too-early = 日期不能早于 { $min }。
err-field-too-late = 日期不能晚于 { $max }。
err-field-not-an-option = 请从选项中选择一项。
err-field-id-number = 身份证号码应为 18 位（最后一位可以是 X）。
err-field-id-number-check = 身份证号码的校验位不正确，请核对后重新填写。
err-field-id-number-birth-date = 身份证号码中的出生日期不正确。
err-field-uscc = 统一社会信用代码应为 18 位数字或大写字母。
err-field-uscc-check = 统一社会信用代码的校验位不正确，请核对后重新填写。
err-field-phone = 请填写 11 位中国大陆手机号码。
err-field-address-code = 请选择广东省内的区县或镇街。
err-field-address-detail = 请填写详细地址（街道、门牌号等）。
err-field-control-characters = 含有不可见的控制字符，请删除后重试。
err-field-read-only = 这一项来自您的实名信息，不能修改。

## 在线申请逐项填写（issue 24）

err-step-department = “{ $title }”这一步由办理部门完成，不需要您填写。
err-answers-text = 这件申请的每一项请填写文字。
err-submit-invalid-answers = 第 { $step } 步“{ $title }”有 { $count } 项需要修改，请返回这一步按提示修改后再提交。
