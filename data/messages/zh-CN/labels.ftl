# 平台写给用户的文字：办件状态、办件进度、消息、短信模板。

platform-name = 广东省电子证照平台（粤搜）

## 办件状态

status-draft = 草稿
status-waiting = 待补正
status-submitted = 已提交
status-processing = 办理中
status-completed = 已办结
status-rejected = 不予受理
status-withdrawn = 已撤回

## 办件进度（时间线）

event-started = 开始填写申请
event-submitted = 提交申请
event-appointment-booked = 已预约 { $start } 到 { $hall } 现场办理「{ $item }」
event-appointment-cancelled = 已取消 { $start } 到 { $hall } 现场办理「{ $item }」的预约
event-appointment-moved = 「{ $item }」现场办理的预约已从 { $from } 改到 { $start }（{ $hall }）
event-resubmitted = 补正后重新提交
event-withdrawn = 撤回申请
actor-self = 本人
actor-agent = 经办人 { $id }

## 消息

message-application-status = 您的申请“{ $title }”{ $status }
message-application-submitted = 申请已提交，部门受理后会通知您办理进度。
message-feedback-replied = 您的反馈“{ $title }”有了回复

## 短信模板

sms-code = 【粤搜】您的{ $purpose ->
        [register] 注册
        [login] 登录
       *[other] {""}
    }验证码是 { $code }，5 分钟内有效。请勿告诉他人。

## 证照状态

licence-valid = 有效
licence-expiring = 即将到期
licence-expired = 已过期
licence-revoked = 已吊销
licence-no-expiry = 长期
