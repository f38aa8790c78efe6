# Why a service is recommended (the `reason` of data/recommend/life_stages.json and the daemon's recommendations).

recommend-stage-id-card = You are 16 or over: you need to apply for a Resident Identity Card
recommend-stage-gaokao = Exam season: check your university entrance exam (gaokao) results and admission
recommend-stage-driving = You are 18 or over: you can take the driving test
recommend-stage-graduate = Popular services when you graduate and look for work
recommend-stage-settle = Popular services when you settle down and buy a home
recommend-stage-family = Popular services when you marry and have children
recommend-stage-school = Register your child for school
recommend-stage-retiring = You are close to retirement age: work out your pension and apply for it
recommend-stage-pension-check = To keep receiving your pension, confirm your eligibility on time
recommend-stage-elderly = Care services and allowances for older people
recommend-stage-eighty = You are 80 or over: you can apply for the old-age allowance
recommend-away = Popular services for people living in { $city } whose household registration is elsewhere

recommend-unknown-region = There is no area called “{ $region }”, so we are showing services for all of Guangdong.
recommend-unknown-position = We could not work out where you are, so we are showing services for all of Guangdong.
recommend-licence-expired = Your { $licence } has expired: { $kind ->
    [certificate] you can get a new one
   *[card] you can renew it
}
recommend-licence-expiring = Your { $licence } expires in { $days } { $days ->
    [one] day
   *[other] days
}: { $kind ->
    [certificate] you can get a new one
   *[card] you can renew it
}
recommend-licence-expiring-soon = Your { $licence } expires soon: { $kind ->
    [certificate] you can get a new one
   *[card] you can renew it
}
recommend-licence-related = Related to your { $licence }
recommend-application-draft = You have an application you have not submitted yet ({ $done } of { $count } { $count ->
    [one] step
   *[other] steps
} done): you can carry on with it
recommend-application-waiting = Your application needs more information from you
recommend-application-result = Your application is complete: you can see the result
recommend-recent-search = You recently searched for “{ $query }”
recommend-hot-search = Many people are searching for “{ $query }”
recommend-popular = Popular services
recommend-popular-in = Popular services in { $city }
