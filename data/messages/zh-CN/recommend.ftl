# 推荐服务的理由（data/recommend/life_stages.json 的 reason 与守护进程的推荐）。

recommend-stage-id-card = 年满16周岁，需申领居民身份证
recommend-stage-gaokao = 升学季，高考成绩与录取结果查询
recommend-stage-driving = 年满18周岁，可报考机动车驾驶证
recommend-stage-graduate = 毕业求职阶段的常用服务
recommend-stage-settle = 成家置业阶段的常用服务
recommend-stage-family = 结婚生育阶段的常用服务
recommend-stage-school = 子女入学报名
recommend-stage-retiring = 临近退休年龄，可提前测算并申领养老金
recommend-stage-pension-check = 领取养老待遇需按时完成资格认证
recommend-stage-elderly = 老年人养老服务与补贴
recommend-stage-eighty = 年满80周岁，可申领高龄老人津贴
recommend-away = 您的户籍不在{ $city }，异地居住常用服务

recommend-unknown-region = 没有“{ $region }”这个地区，已为您推荐全省服务。
recommend-unknown-position = 无法确定您的位置，已为您推荐全省服务。
recommend-licence-expired = 您的{ $licence }已过期，{ $kind ->
    [certificate] 可重新开具
   *[card] 可办理换证
}
recommend-licence-expiring = 您的{ $licence }将于 { $days } 天后到期，{ $kind ->
    [certificate] 可重新开具
   *[card] 可办理换证
}
recommend-licence-expiring-soon = 您的{ $licence }即将到期，{ $kind ->
    [certificate] 可重新开具
   *[card] 可办理换证
}
recommend-licence-related = 与您的{ $licence }相关
recommend-application-draft = 您有一件未提交的申请，已完成 { $done }/{ $count } 步，可继续办理
recommend-application-waiting = 您的申请需要补正材料
recommend-application-result = 您的申请已办结，可查看办理结果
recommend-recent-search = 您最近搜索过“{ $query }”
recommend-hot-search = 大家都在搜“{ $query }”
recommend-popular = 热门服务
recommend-popular-in = { $city }热门服务
