# 搜尋結果為空時給用戶的提示。

search-blocked = 這個搜尋字詞含有不容許搜尋的內容。
search-empty = 請輸入要辦理的事項，例如「公積金提取」、「社保查詢」、「港澳通行證簽注」。
search-nothing = 找不到相關事項，請嘗試使用其他字詞，或按類別瀏覽。
search-unreadable = 找不到相關事項：無法理解輸入的英文字母。請以中文或拼音輸入，或輸入服務的英文名稱（例如 passport、social security card、housing fund）。
search-unknown-category = 找不到相關事項：沒有「{ $value }」這個類別。
search-unknown-theme = 找不到相關事項：沒有「{ $value }」這個主題。
search-unknown-department = 找不到相關事項：沒有「{ $value }」這個實施部門。
search-unknown-region = 找不到相關事項：沒有「{ $value }」這個地區。
categories-unknown-region = 沒有「{ $region }」這個地區：請提供 6 位數字的行政區劃代碼或地名。
