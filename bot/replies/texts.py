"""Every sentence the bot says to users, in one place (plain text; escaped when rendered)."""

from __future__ import annotations

NOT_IN_ARTICLE = "文章里没有讲到这个。"
NOT_IN_ARTICLE_EN = "The article does not say."
NOT_EXPLAINED = "文章提到了“{term}”，但没有解释它的意思。"
NOT_EXPLAINED_EN = "The article mentions “{term}” but does not explain it."
EMPTY_QUESTION = "请输入一个关于这篇文章的问题，例如：{example}"
TOO_LONG = "问题太长了（最多 {limit} 个字），请简短地问。"
TRY_INSTEAD = "可以试试这样问："
TRY_INSTEAD_EN = "It answers questions like these (in Chinese or English):"
FIGURES_HINT = "/figures 列出文中的全部数字。"
FIGURES_HINT_EN = "/figures lists every figure in the article."
ENGLISH_LEAD = "The article is in Chinese; this passage answers it:"
ENGLISH_LEAD_MISSING = (
    "The article is in Chinese. Its source lost this number: the digits were stripped, "
    "so it cannot be given or estimated."
)
MISSING_FIGURE = "原文此处的数字缺失：“{figure}”——来源删去了这个数字，无法给出，也不作估计。"
MISSING_FIGURE_EN = (
    "The number asked for is missing from the source (its digits were stripped): “{figure}”. "
    "It cannot be given or estimated."
)
# The editorial mark where the source lost its digits, and its legend (once per reply).
GAP = "〔?〕"
GAP_LEGEND = "〔?〕原文此处的数字缺失"
READ_AS = "按“{right}”理解“{wrong}”。"
READ_AS_EN = "Read “{wrong}” as {right}."
# The closest passage under a caveat: what the article does not say, and what it is about.
CLOSEST = "文章没有直接回答“{question}”：{why}。"
CLOSEST_ABOUT = "与“{topic}”最相关的段落："
CLOSEST_NEAREST = "最相关的段落："
CLOSEST_EN = "The article does not answer “{question}” directly: {why}."
CLOSEST_ABOUT_EN = "The passage closest to “{topic}”:"
CLOSEST_NEAREST_EN = "The closest passage:"
WHY = {
    "unknown": "没有提到“{words}”",
    "explained": "只提到了它，没有具体解释",
    "number": "没有给出这个数字",
    "who": "没有说是谁",
    "when": "没有说具体时间",
    "where": "没有说具体地点",
    "which": "没有列出具体是哪些",
    "covered": "没有讲到“{words}”",
    "stated": "没有说到这一点",
}
WHY_EN = {
    "unknown": "it never mentions “{words}”",
    "explained": "it only names it, without explaining it",
    "number": "it gives no such number",
    "who": "it names no one for it",
    "when": "it gives no date for it",
    "where": "it names no place for it",
    "which": "it does not list them",
    "covered": "it does not speak of “{words}”",
    "stated": "it does not say so",
}
FIGURES_LABEL = "文中数字："
MISSING_MARK = "（数字缺失）"
MORE_PASSAGES = "其他相关段落："
CITATION = "《{title}》{citation}"
SECTION_SEP = " · "

BUTTON_MORE = "更多"
BUTTON_FULL = "全文 {citation}"
BUTTON_PRIVATE = "在私聊中查看更多"
BUTTON_PREVIOUS = "上一页"
BUTTON_NEXT = "下一页"
BUTTON_UP = "👍"
BUTTON_DOWN = "👎"

START = (
    "你好！我能回答关于这篇文章的问题，并注明出处段落和文中的数字。\n"
    "直接发问题给我即可；在群里用 /ask 问题，或回复我的消息。"
)
ARTICLE_CARD = "《{title}》\n{published} · {paragraphs} 段"
HELP = (
    "直接发送问题，我会找出文章中最相关的段落（注明 ¶ 段落号）和其中的数字。\n\n"
    "/ask 问题 — 提问（群聊中使用）\n"
    "/figures — 文中的全部数字，标出来源中缺失的数字\n"
    "/about — 文章信息\n"
    "/articles — 我能回答的文章\n"
    "/help — 本帮助\n"
    "/privacy — 记录了什么；/forget — 删除我的记录\n\n"
    "群聊中：/ask 问题、@我 问题，或回复我的消息。也可以在任何聊天中输入 @{username} 问题 使用内联模式。\n"
    "注意：来源文本中的阿拉伯数字已被删去，缺失的数字我会如实说明，不会猜测。"
)
ABOUT = (
    "《{title}》\n"
    "发布时间：{published}\n"
    "责任编辑：{editor}\n"
    "段落：{paragraphs} 段 · 数字：{figures} 处，其中 {missing} 处在来源中缺失"
)
ABOUT_ARTICLES = "共 {count} 篇文章。"
ARTICLES_TITLE = "我能回答这 {count} 篇文章的问题："
ARTICLE_DEFAULT = "（默认）"
BUTTON_READ = "阅读《{title}》"
FIGURES_TITLE = "文中的数字（{page}/{pages}）："
FIGURES_NONE = "文中没有数字。"
ASK_USAGE = "用法：/ask 问题，例如：/ask {example}"
SEND_TEXT = "请用文字提问，例如：{example}"
UNKNOWN_COMMAND = "没有这个命令。"
PARAGRAPH_NOT_FOUND = "没有这个段落。"
BUTTON_EXPIRED = "这个按钮已失效，请重新提问。"
ERROR = "抱歉，出了点问题，请稍后再试。"
INLINE_NOTHING = "文章里没有讲到这个"
INLINE_HINT = "输入关于文章的问题"

# --- feedback and the question log (/privacy, /forget, /stats) ---------------------------------
FEEDBACK_THANKS = "谢谢反馈"
PRIVACY_LOG = (
    "为了改进回答，我会记录：提问时间、聊天类型（私聊、群组或内联）、问题原文、回答的结论和原因、"
    "引用的段落、问到的数字、用时，以及你点的 👍/👎。\n"
    "你的用户 ID 和聊天 ID 不以明文保存，只保存带密钥的散列（HMAC）：能按人计票，但无法据此知道你是谁。\n"
    "记录保存 {days} 天，之后自动删除。发送 /forget 可立即删除你留下的全部记录。"
)
PRIVACY_VOTES_ONLY = (
    "问题记录已关闭：我不保存你的问题。只保存你点的 👍/👎：对应的段落、结论，以及一个无法还原问题的带密钥摘要；"
    "你的用户 ID 只以带密钥的散列（HMAC）保存。\n"
    "记录保存 {days} 天，之后自动删除。发送 /forget 可立即删除。"
)
PRIVACY_NOTHING = "我不保存任何问题或反馈。"
FORGET_DONE = "已删除你留下的 {count} 条记录。"
FORGET_NOTHING = "没有你的记录。"
FORGET_UNAVAILABLE = "现在无法删除，请稍后再发送 /forget。"
STATS_REFUSED = "只有管理员可以查看统计。"
STATS_UNAVAILABLE = "现在读不到问题记录，请稍后再试。"
STATS_OFF = "问题记录没有开启。"
STATS_TOTALS = "最近 {days} 天：{total} 个问题，{people} 人提问。"
STATS_VERDICTS = "回答 {answer} · 最接近 {closest} · 未回答 {none}"
STATS_VOTES = "👍 {up} · 👎 {down}"
STATS_UNANSWERED = "没能回答的（按次数）："
STATS_DISLIKED = "被点 👎 的回答："
STATS_NOT_LOGGED = "（问题未记录）"
STATS_FULL = "完整报告：python -m bot report --format html"

COMMANDS_PRIVATE = (
    ("start", "开始：文章简介和示例问题"),
    ("help", "怎么用"),
    ("figures", "文中的全部数字"),
    ("about", "文章信息"),
    ("articles", "文章列表"),
    ("privacy", "记录了什么、保存多久"),
    ("forget", "删除我的记录"),
)
COMMANDS_GROUP = (
    ("ask", "提问：/ask 问题"),
    ("figures", "文中的全部数字"),
    ("about", "文章信息"),
    ("help", "怎么用"),
)

# --- the terminal: python -m bot ask / chat / sandbox ---------------------------------------------
ASK_PROMPT = "问题："
CONSOLE_BANNER = "《{title}》 — 输入问题，回车发送；help 查看命令，quit 或 Ctrl-D 退出。"
CONSOLE_BANNER_ARTICLES = "{count} 篇文章（默认《{title}》） — 输入问题，回车发送；help 查看命令，quit 或 Ctrl-D 退出。"
CONSOLE_PROMPT = "问> "
# Where the bot says /figures, the console says what works here.
CONSOLE_HINT = "输入 /figures 列出文中的全部数字，help 查看全部命令。"
CONSOLE_HINT_EN = "Type /figures for every figure in the article, help for the commands."
CONSOLE_MORE = "输入“更多”看下一个相关段落（共 {count} 段）。"
CONSOLE_NO_MORE = "没有更多相关段落了。"
CONSOLE_NOTHING_YET = "先问一个问题，再输入“更多”。"
CONSOLE_P_USAGE = "用法：/p 7 打开第 7 段{articles}。"
CONSOLE_P_ARTICLES = "；多篇文章时：/p {article} 7 或 /p {article}-p7"
CONSOLE_UNKNOWN = "没有这个命令。输入 help 查看命令。"
CONSOLE_FIGURES_TITLE = "文中的数字（{count} 段）："
CONSOLE_PREVIOUS = "/p {ref} 上一段"
CONSOLE_NEXT = "/p {ref} 下一段"
CONSOLE_HELP = (
    "直接输入问题，回车发送。命令：\n"
    "  更多 / more         上一个回答的下一个相关段落\n"
    "  /p 7                打开第 7 段{articles}\n"
    "  /figures            文中的全部数字，标出来源中缺失的数字\n"
    "  /about              文章信息\n"
    "  help                本帮助\n"
    "  quit / Ctrl-D       退出\n"
    "↑ ↓ 翻看以前的问题，← → 编辑当前行；Ctrl-C 放弃当前行。"
)
CONSOLE_HELP_ARTICLES = "（多篇文章时：/p {article} 7 或 /p {article}-p7）"

SANDBOX_BANNER = (
    "沙盒：真正的机器人 @{bot}，连着本机的 Bot API 服务器（只在 127.0.0.1，不连 Telegram）。\n"
    "你是用户 {user}。输入消息回车发送；输入按钮的编号按下它；"
    "/group 到群聊（普通消息会作为 /ask 发送），/private 回到私聊；/quit 或 Ctrl-D 退出。"
)
SANDBOX_PROMPT_PRIVATE = "私聊> "
SANDBOX_PROMPT_GROUP = "群聊> "
SANDBOX_NOW_PRIVATE = "现在在与 @{bot} 的私聊中。"
SANDBOX_NOW_GROUP = "现在在群聊“{title}”中：普通消息作为 /ask 发送，以 / 开头的原样发送。"
SANDBOX_SENT = "── @{bot} ──"
SANDBOX_EDITED = "── @{bot} 编辑了上面的消息 ──"
SANDBOX_TOAST = "（按钮提示：{text}）"
SANDBOX_SILENT = "（机器人没有回复）"
SANDBOX_LINK = "（链接：{url}）"
SANDBOX_OPENS = "（打开链接：在私聊中发送 /start {payload}）"
SANDBOX_NO_BUTTON = "上一条消息没有第 {number} 个按钮。"
SANDBOX_TIMEOUT = "（{seconds} 秒内没有处理完，继续等下去也许还会有回复）"
SANDBOX_GROUP_TITLE = "沙盒群"
SANDBOX_USER = "沙盒用户"
