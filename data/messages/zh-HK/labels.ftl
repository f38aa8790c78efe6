# 平台寫給用戶的文字：申請狀態、申請進度、訊息、短訊範本。

platform-name = 廣東省電子證照平台（粵搜）

## 申請狀態

status-draft = 草稿
status-waiting = 待補交資料
status-submitted = 已遞交
status-processing = 處理中
status-completed = 已完成
status-rejected = 不獲受理
status-withdrawn = 已撤回

## 申請進度（時間線）

event-started = 開始填寫申請
event-submitted = 遞交申請
event-appointment-booked = 已預約 { $start } 到 { $hall } 現場辦理「{ $item }」
event-appointment-cancelled = 已取消 { $start } 到 { $hall } 現場辦理「{ $item }」的預約
event-appointment-moved = 「{ $item }」現場辦理的預約已從 { $from } 改到 { $start }（{ $hall }）
event-resubmitted = 補交資料後重新遞交
event-withdrawn = 撤回申請
actor-self = 本人
actor-agent = 經辦人 { $id }

## 訊息

message-application-status = 您的申請「{ $title }」{ $status }
message-application-submitted = 申請已遞交，部門受理後會通知您處理進度。
message-feedback-replied = 您的意見「{ $title }」已有回覆

## 短訊範本

sms-code = 【粵搜】您的{ $purpose ->
        [register] 註冊
        [login] 登入
       *[other] {""}
    }驗證碼為 { $code }，5 分鐘內有效。請勿向他人透露。

## 證照狀態

licence-valid = 有效
licence-expiring = 即將到期
licence-expired = 已過期
licence-revoked = 已吊銷
licence-no-expiry = 長期有效
