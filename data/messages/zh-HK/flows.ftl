# 辦理流程（problem+json 的 detail）。

err-not-found-flow = 這個事項不是網上辦理事項，沒有辦理流程。
err-flows-unavailable = 辦理流程暫時無法使用，請稍後再試。
