# Hints for people when a search finds nothing.

search-blocked = Your search contains words that cannot be searched for.
search-empty = Type what you want to do, for example “housing fund withdrawal”, “social security card” or “renew passport”.
search-nothing = No matching services found. Try different words, or browse by category.
search-unreadable = No matching services found: we could not read the letters you typed. Type in Chinese or pinyin, or use the English name of a service (such as passport, social security card, housing fund).
search-unknown-category = No matching services found: there is no category called “{ $value }”.
search-unknown-theme = No matching services found: there is no theme called “{ $value }”.
search-unknown-department = No matching services found: there is no department called “{ $value }”.
search-unknown-region = No matching services found: there is no area called “{ $value }”.
categories-unknown-region = There is no area called “{ $region }”. Give a 6-digit administrative division code or a place name.
