# 推薦服務的理由（data/recommend/life_stages.json 的 reason 及伺服器程式的推薦）。

recommend-stage-id-card = 年滿16歲，須申領居民身份證
recommend-stage-gaokao = 升學季，查詢高考成績及錄取結果
recommend-stage-driving = 年滿18歲，可報考機動車駕駛證
recommend-stage-graduate = 畢業求職階段的常用服務
recommend-stage-settle = 成家置業階段的常用服務
recommend-stage-family = 結婚生育階段的常用服務
recommend-stage-school = 子女入學報名
recommend-stage-retiring = 臨近退休年齡，可預先估算並申領養老金
recommend-stage-pension-check = 領取養老待遇須按時完成資格認證
recommend-stage-elderly = 長者養老服務及津貼
recommend-stage-eighty = 年滿80歲，可申領高齡老人津貼
recommend-away = 您的戶籍不在{ $city }，異地居住常用服務

recommend-unknown-region = 沒有「{ $region }」這個地區，已為您推薦全省服務。
recommend-unknown-position = 無法確定您的位置，已為您推薦全省服務。
recommend-licence-expired = 您的{ $licence }已過期，{ $kind ->
    [certificate] 可重新申領
   *[card] 可辦理換領
}
recommend-licence-expiring = 您的{ $licence }將於 { $days } 日後到期，{ $kind ->
    [certificate] 可重新申領
   *[card] 可辦理換領
}
recommend-licence-expiring-soon = 您的{ $licence }即將到期，{ $kind ->
    [certificate] 可重新申領
   *[card] 可辦理換領
}
recommend-licence-related = 與您的{ $licence }相關
recommend-application-draft = 您有一宗未遞交的申請，已完成 { $done }/{ $count } 步，可繼續辦理
recommend-application-waiting = 您的申請需要補交資料
recommend-application-result = 您的申請已完成，可查看處理結果
recommend-recent-search = 您最近搜尋過「{ $query }」
recommend-hot-search = 大家都在搜尋「{ $query }」
recommend-popular = 熱門服務
recommend-popular-in = { $city }熱門服務
