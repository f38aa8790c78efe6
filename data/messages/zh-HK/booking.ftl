# 預約：辦事大廳的預約、提醒和拒絕原因。

## 預約被拒絕時

err-booking-real-name-required = 預約需要先完成實名認證（L2）。
err-booking-not-bookable = 這項服務不能在辦事大廳預約。
err-booking-hall-not-found = 找不到這個辦事大廳。
err-booking-hall-does-not-book = 這個辦事大廳不受理這項服務的預約，請換一個大廳。
err-booking-date-in-past = 這個時段已經開始或日期已過，請選擇之後的時段。
err-booking-too-soon = 這項服務需要提前預約，最早可約 { $earliest }。
err-booking-window-not-open = 這一天還沒有開放預約，將於 { $opens_at } 開放。
err-booking-date-not-offered = { $date } 所在年份的節假日安排尚未公佈，暫不開放預約。
err-booking-holiday = { $date } 是法定節假日（{ $name }），辦事大廳不開放。
err-booking-hall-closed-day = 辦事大廳 { $date } 不對外辦公。
err-booking-not-slot-start = 所選時間不是可預約時段的開始時間，請從列表中選擇時段。
err-booking-days-out-of-range = 一次最多查詢 { $max } 天。
err-booking-booking-not-found = 找不到這條預約紀錄。
err-booking-suspended = 由於多次預約後未到場，預約功能暫停至 { $until }（含當天）。
err-booking-slot-closed = 辦事大廳已關閉這個時段，請選擇其他時段。
err-booking-slot-full = 這個時段已約滿，請選擇其他時段。
err-booking-already-booked = 您已有這項服務的有效預約，如需更改時間請改約或先取消。
err-booking-idempotency-key-reused = 這次提交與之前的預約請求不一致，請重新整理後重試。
err-booking-too-late-to-change = 預約開始前 1 小時內不能再取消或改約（截止於 { $deadline }）。
err-booking-booking-not-active = 這條預約的狀態是「{ $status }」，不能再更改。
err-booking-invalid-check-in-code = 簽到碼應為 8 位字母或數字。
err-booking-check-in-code-not-found = 本大廳今天沒有與此簽到碼對應的預約。
err-booking-already-checked-in = 已於 { $at } 簽到，無需重複簽到。
err-booking-slot-not-started = 時段尚未開始（{ $start }），還不能標記為未到場。
err-booking-invalid-input = 提交的內容格式不正確，請檢查後重試。
err-booking-busy = 預約的人太多，請稍後重試。
err-booking-unavailable = 預約系統暫時無法連接，請稍後重試。
err-booking-storage-unavailable = 伺服器暫時無法儲存，預約未成功，請稍後重試。
err-booking-internal = 預約系統出現故障，請稍後重試。
err-booking-time-format = 時間格式不正確，應為 RFC 3339 格式（如 2026-12-08T09:00:00+08:00）。
err-booking-date-format = 日期格式不正確，應為 年-月-日（如 2026-12-08）。
err-booking-id-format = 編號格式不正確。
err-booking-closure-target = 請指定要關閉的一個時段（start）或一整天（date），二者選其一。

## 預約狀態

booking-status-booked = 已預約
booking-status-cancelled = 已取消
booking-status-closed = 大廳已關閉該時段
booking-status-checked-in = 已簽到
booking-status-no-show = 未到場

## 日期狀態

booking-day-open = 可預約
booking-day-too-soon = 需提前預約
booking-day-not-yet-open = { $opens_at } 開放預約
booking-day-holiday = { $name }，不開放
booking-day-hall-closed = 不辦公
booking-day-not-offered = 暫未開放

booking-reason-calendar-changed = 辦事大廳的開放時間或節假日安排已調整

## 提醒

booking-reminder-booked-title = 預約成功：{ $item }
booking-reminder-booked = 您已預約 { $start } 在 { $hall } 辦理「{ $item }」。請準時到場，出示簽到碼；如需取消或改約，請在開始前 1 小時之前操作。
booking-reminder-rescheduled-title = 預約已改期：{ $item }
booking-reminder-rescheduled = 您的「{ $item }」預約已改到 { $start }，地點 { $hall }。簽到碼已更新，請以新的簽到碼為準。
booking-reminder-day-before-title = 明天有預約：{ $item }
booking-reminder-day-before = 提醒：您預約了明天 { $start } 在 { $hall } 辦理「{ $item }」，請帶齊材料準時到場。
booking-reminder-slot-closed-title = 預約時段已關閉：{ $item }
booking-reminder-slot-closed = 很抱歉，{ $hall } 關閉了您 { $start } 的預約時段（原因：{ $reason }），暫時沒有其他空餘時段，請重新預約。
booking-reminder-slot-closed-moved-title = 預約已為您調整：{ $item }
booking-reminder-slot-closed-moved = 很抱歉，{ $hall } 關閉了您 { $start } 的預約時段（原因：{ $reason }），已優先為您改約到 { $moved_to }。如不合適，可以改約或取消。
booking-reminder-suspended-title = 預約功能已暫停
booking-reminder-suspended = 由於 90 天內 3 次預約後未到場，您的預約功能暫停至 { $until }（含當天），之後可恢復預約。
