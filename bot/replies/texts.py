"""Every sentence the bot says to users, in one place (plain text; escaped when rendered)."""

from __future__ import annotations

NOT_IN_ARTICLE = "文章里没有讲到这个。"
NOT_IN_ARTICLE_EN = "The article does not say."
NOT_EXPLAINED = "文章提到了“{term}”，但没有解释它的意思。"
NOT_EXPLAINED_EN = "The article mentions “{term}” but does not explain it."
EMPTY_QUESTION = "请输入一个关于这篇文章的问题，例如：{example}"
TOO_LONG = "问题太长了（最多 {limit} 个字），请简短地问。"
TRY_INSTEAD = "可以试试这样问："
FIGURES_HINT = "/figures 列出文中的全部数字。"
ENGLISH_LEAD = "The article is in Chinese; the passage that answers this is {citation}:"
ENGLISH_LEAD_MISSING = (
    "The article is in Chinese. Its source lost this number: the digits were stripped, "
    "so it cannot be given or estimated."
)
MISSING_FIGURE = "原文此处的数字缺失：“{figure}”中的数字在来源中已被删去，无法给出，也不作估计。"
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
    "/help — 本帮助\n\n"
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

COMMANDS_PRIVATE = (
    ("start", "开始：文章简介和示例问题"),
    ("help", "怎么用"),
    ("figures", "文中的全部数字"),
    ("about", "文章信息"),
    ("articles", "文章列表"),
)
COMMANDS_GROUP = (
    ("ask", "提问：/ask 问题"),
    ("figures", "文中的全部数字"),
    ("about", "文章信息"),
    ("help", "怎么用"),
)
