# 搜索结果为空时给用户的提示。

search-blocked = 该搜索词包含不允许搜索的内容。
search-empty = 请输入要办理的事项，例如“公积金提取”“社保查询”“港澳通行证签注”。
search-nothing = 没有找到相关事项，换个说法试试，或按分类浏览。
search-unreadable = 没有找到相关事项：看不懂输入的字母。请用中文或拼音输入，或输入服务的英文名称（如 passport、social security card、housing fund）。
search-unknown-category = 没有找到相关事项：没有“{ $value }”这个分类。
search-unknown-theme = 没有找到相关事项：没有“{ $value }”这个主题。
search-unknown-department = 没有找到相关事项：没有“{ $value }”这个实施部门。
search-unknown-region = 没有找到相关事项：没有“{ $value }”这个地区。
categories-unknown-region = 没有“{ $region }”这个地区：请给出 6 位行政区划代码或地名。
