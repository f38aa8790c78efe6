# 繳費：賬單、支付狀態和拒絕原因。

## 支付被拒絕時

err-payment-invalid-idempotency-key = 請求缺少有效的冪等鍵（Idempotency-Key），請重新整理頁面後重試。
err-payment-idempotency-key-reused = 這次提交與之前的支付請求不一致，請重新整理頁面後重試。
err-payment-identity-required = 繳費需要先完成實名認證（L2）。
err-payment-amount-invalid = 金額不正確：應為大於零的整數分，且不超過單筆限額。
err-payment-amount-out-of-range = 增值金額應在 { $min } 元到 { $max } 元之間，並且是 { $step } 元的整數倍。
err-payment-bill-not-found = 找不到這張賬單，請重新整理賬單列表。
err-payment-top-up-not-found = 找不到這個增值賬戶，請重新整理後重試。
err-payment-bill-paid = 這張賬單已經繳清，無需重複繳費。
err-payment-bill-expired = 這張賬單已於 { $due } 逾期，不能在線繳納，請聯絡收費單位。
err-payment-payment-in-progress = 這張賬單有一筆支付正在進行中，請先完成或等待其結束。
err-payment-payment-not-found = 找不到這筆繳費紀錄。
err-payment-not-refundable = 這筆繳費目前不能退款。
err-payment-already-refunded = 這筆繳費已在退款或已退款。
err-payment-refund-reason-required = 請填寫退款原因（不超過 500 字）。
err-payment-department-unavailable = 收費單位的系統暫時無法連接，請稍後重試。
err-payment-department-not-connected = 這項服務暫不支援在線繳費。
err-payment-department-refused = 收費單位未受理這筆繳費，請聯絡收費單位。
err-payment-department-failed = 收費單位系統傳回有誤，請稍後重試。
err-payment-provider-unavailable = 支付渠道暫時無法下單，請稍後重試（不會重複扣款）。
err-payment-provider-refused = 支付渠道拒絕了這筆訂單，請換一種方式或稍後重試。
err-payment-bad-signature = 支付通知的簽名無效，已拒絕。
err-payment-notification-stale = 支付通知已過期，已拒絕。
err-payment-notification-malformed = 支付通知的格式不正確。
err-payment-unknown-order = 找不到支付通知對應的訂單。
err-payment-notification-mismatch = 支付通知的金額或訂單號與繳費紀錄不一致。
err-payment-storage-unavailable = 伺服器暫時無法儲存，繳費未發起，請稍後重試。
err-payment-database-unavailable = 繳費系統暫時繁忙，請稍後重試。
err-payment-internal = 繳費系統出現故障，請稍後重試。
err-payment-not-configured = 繳費服務暫未開通，請稍後再試。
err-payment-target = 請選擇要繳納的賬單（bill_id）或增值（top_up），二者選其一。
err-payment-not-payable = 這項服務不支援在線繳費。

## 支付狀態

payment-status-created = 待下單
payment-status-paying = 待支付
payment-status-paid = 已支付，正在銷賬
payment-status-settled = 繳費成功
payment-status-failed = 支付失敗
payment-status-expired = 已過期
payment-status-refunding = 退款中
payment-status-refunded = 已退款

## 賬單狀態

bill-status-unpaid = 待繳費
bill-status-paying = 支付中
bill-status-paid = 已繳費
bill-status-expired = 已逾期
