# 缴费：账单、支付状态和拒绝原因。

## 支付被拒绝时

err-payment-invalid-idempotency-key = 请求缺少有效的幂等键（Idempotency-Key），请刷新页面后重试。
err-payment-idempotency-key-reused = 这次提交与之前的支付请求不一致，请刷新页面后重试。
err-payment-identity-required = 缴费需要先完成实名认证（L2）。
err-payment-amount-invalid = 金额不正确：应为大于零的整数分，且不超过单笔限额。
err-payment-amount-out-of-range = 充值金额应在 { $min } 元到 { $max } 元之间，并且是 { $step } 元的整数倍。
err-payment-bill-not-found = 没有找到这张账单，请刷新账单列表。
err-payment-top-up-not-found = 没有找到这个充值账户，请刷新后重试。
err-payment-bill-paid = 这张账单已经缴清，无需重复缴费。
err-payment-bill-expired = 这张账单已于 { $due } 逾期，不能在线缴纳，请联系收费单位。
err-payment-payment-in-progress = 这张账单有一笔支付正在进行中，请先完成或等待其结束。
err-payment-payment-not-found = 没有找到这笔缴费记录。
err-payment-not-refundable = 这笔缴费当前不能退款。
err-payment-already-refunded = 这笔缴费已在退款或已退款。
err-payment-refund-reason-required = 请填写退款原因（不超过 500 字）。
err-payment-department-unavailable = 收费单位的系统暂时无法访问，请稍后重试。
err-payment-department-not-connected = 这项服务暂不支持在线缴费。
err-payment-department-refused = 收费单位未受理这笔缴费，请联系收费单位。
err-payment-department-failed = 收费单位系统返回有误，请稍后重试。
err-payment-provider-unavailable = 支付渠道暂时无法下单，请稍后重试（不会重复扣款）。
err-payment-provider-refused = 支付渠道拒绝了这笔订单，请换一种方式或稍后重试。
err-payment-bad-signature = 支付通知的签名无效，已拒绝。
err-payment-notification-stale = 支付通知已过期，已拒绝。
err-payment-notification-malformed = 支付通知的格式不正确。
err-payment-unknown-order = 没有找到支付通知对应的订单。
err-payment-notification-mismatch = 支付通知的金额或订单号与缴费记录不一致。
err-payment-storage-unavailable = 服务器暂时无法保存，缴费未发起，请稍后重试。
err-payment-database-unavailable = 缴费系统暂时繁忙，请稍后重试。
err-payment-internal = 缴费系统出现故障，请稍后重试。
err-payment-not-configured = 缴费服务暂未开通，请稍后再试。
err-payment-target = 请选择要缴纳的账单（bill_id）或充值（top_up），二者选其一。
err-payment-not-payable = 这项服务不支持在线缴费。

## 支付状态

payment-status-created = 待下单
payment-status-paying = 待支付
payment-status-paid = 已支付，正在销账
payment-status-settled = 缴费成功
payment-status-failed = 支付失败
payment-status-expired = 已过期
payment-status-refunding = 退款中
payment-status-refunded = 已退款

## 账单状态

bill-status-unpaid = 待缴费
bill-status-paying = 支付中
bill-status-paid = 已缴费
bill-status-expired = 已逾期
