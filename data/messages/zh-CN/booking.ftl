# 预约：办事大厅的预约、提醒和拒绝原因。

## 预约被拒绝时

err-booking-real-name-required = 预约需要先完成实名认证（L2）。
err-booking-not-bookable = 这项服务不能在办事大厅预约。
err-booking-hall-not-found = 没有找到这个办事大厅。
err-booking-hall-does-not-book = 这个办事大厅不受理这项服务的预约，请换一个大厅。
err-booking-date-in-past = 这个时段已经开始或日期已过，请选择之后的时段。
err-booking-too-soon = 这项服务需要提前预约，最早可约 { $earliest }。
err-booking-window-not-open = 这一天还没有开放预约，将于 { $opens_at } 开放。
err-booking-date-not-offered = { $date } 所在年份的节假日安排尚未公布，暂不开放预约。
err-booking-holiday = { $date } 是法定节假日（{ $name }），办事大厅不开放。
err-booking-hall-closed-day = 办事大厅 { $date } 不对外办公。
err-booking-not-slot-start = 所选时间不是可预约时段的开始时间，请从列表中选择时段。
err-booking-days-out-of-range = 一次最多查询 { $max } 天。
err-booking-booking-not-found = 没有找到这条预约记录。
err-booking-suspended = 由于多次预约后未到场，预约功能暂停至 { $until }（含当天）。
err-booking-slot-closed = 办事大厅已关闭这个时段，请选择其他时段。
err-booking-slot-full = 这个时段已约满，请选择其他时段。
err-booking-already-booked = 您已有这项服务的有效预约，如需更改时间请改约或先取消。
err-booking-idempotency-key-reused = 这次提交与之前的预约请求不一致，请刷新后重试。
err-booking-too-late-to-change = 预约开始前 1 小时内不能再取消或改约（截止于 { $deadline }）。
err-booking-booking-not-active = 这条预约的状态是「{ $status }」，不能再更改。
err-booking-invalid-check-in-code = 签到码应为 8 位字母或数字。
err-booking-check-in-code-not-found = 本大厅今天没有与此签到码对应的预约。
err-booking-already-checked-in = 已于 { $at } 签到，无需重复签到。
err-booking-slot-not-started = 时段尚未开始（{ $start }），还不能标记为未到场。
err-booking-invalid-input = 提交的内容格式不正确，请检查后重试。
err-booking-busy = 预约的人太多，请稍后重试。
err-booking-unavailable = 预约系统暂时无法访问，请稍后重试。
err-booking-storage-unavailable = 服务器暂时无法保存，预约未成功，请稍后重试。
err-booking-internal = 预约系统出现故障，请稍后重试。
err-booking-time-format = 时间格式不正确，应为 RFC 3339 格式（如 2026-12-08T09:00:00+08:00）。
err-booking-date-format = 日期格式不正确，应为 年-月-日（如 2026-12-08）。
err-booking-id-format = 编号格式不正确。
err-booking-closure-target = 请指定要关闭的一个时段（start）或一整天（date），二者选其一。

## 预约状态

booking-status-booked = 已预约
booking-status-cancelled = 已取消
booking-status-closed = 大厅已关闭该时段
booking-status-checked-in = 已签到
booking-status-no-show = 未到场

## 日期状态

booking-day-open = 可预约
booking-day-too-soon = 需提前预约
booking-day-not-yet-open = { $opens_at } 开放预约
booking-day-holiday = { $name }，不开放
booking-day-hall-closed = 不办公
booking-day-not-offered = 暂未开放

booking-reason-calendar-changed = 办事大厅的开放时间或节假日安排已调整

## 提醒

booking-reminder-booked-title = 预约成功：{ $item }
booking-reminder-booked = 您已预约 { $start } 在 { $hall } 办理「{ $item }」。请按时到场，出示签到码；如需取消或改约，请在开始前 1 小时之前操作。
booking-reminder-rescheduled-title = 预约已改期：{ $item }
booking-reminder-rescheduled = 您的「{ $item }」预约已改到 { $start }，地点 { $hall }。签到码已更新，请以新的签到码为准。
booking-reminder-day-before-title = 明天有预约：{ $item }
booking-reminder-day-before = 提醒：您预约了明天 { $start } 在 { $hall } 办理「{ $item }」，请带齐材料按时到场。
booking-reminder-slot-closed-title = 预约时段已关闭：{ $item }
booking-reminder-slot-closed = 很抱歉，{ $hall } 关闭了您 { $start } 的预约时段（原因：{ $reason }），暂时没有其他空余时段，请重新预约。
booking-reminder-slot-closed-moved-title = 预约已为您调整：{ $item }
booking-reminder-slot-closed-moved = 很抱歉，{ $hall } 关闭了您 { $start } 的预约时段（原因：{ $reason }），已优先为您改约到 { $moved_to }。如不合适，可以改约或取消。
booking-reminder-suspended-title = 预约功能已暂停
booking-reminder-suspended = 由于 90 天内 3 次预约后未到场，您的预约功能暂停至 { $until }（含当天），之后可恢复预约。
