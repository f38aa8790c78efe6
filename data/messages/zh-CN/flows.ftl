# 办理流程（problem+json 的 detail）。

err-not-found-flow = 这个事项不是在线办理事项，没有办理流程。
err-flows-unavailable = 办理流程暂时无法使用，请稍后再试。
