"""Interface language: Simplified Chinese by default, English on request.

Templates and pages write the Chinese text and wrap it in ``_()``; ``EN`` maps each such text to
English (a test checks that every wrapped text has an entry). The language comes from the query
parameter ``lang``, then the cookie ``yincai_lang``, then the setting ``language``.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request

LANGUAGES = ("zh", "en")
COOKIE_NAME = "yincai_lang"

EN: dict[str, str] = {
    "因材": "yincai",
    "因材施教 · 开源智能教育平台 · 数据留在本校本区": (
        "Teach each student as they are · open AI-for-education platform"
        " · data stays in your district"
    ),
    "首页": "Home",
    "账号管理": "Accounts",
    "审计日志": "Audit log",
    "修改密码": "Change password",
    "退出": "Log out",
    "登录": "Log in",
    "用户名": "Username",
    "密码": "Password",
    "请登录": "Please log in",
    "欢迎使用因材": "Welcome to yincai",
    "所学校": "schools",
    "名学生": "students",
    "个班级": "classes",
    "名教师": "teachers",
    "用户名或密码错误": "Wrong username or password",
    "登录失败次数过多，请 15 分钟后再试": "Too many failed logins; try again in 15 minutes",
    "数据库中还没有学校。运行 yincai demo 生成示范区，或导入本校花名册。": (
        "No schools yet. Run yincai demo to create a demo district, or import your school's roster."
    ),
    "学校一览": "Schools",
    "代码": "Code",
    "学校": "School",
    "类型": "Type",
    "学段": "Stage",
    "班级": "Class",
    "学生": "Students",
    "教师": "Teachers",
    "城区": "urban",
    "乡镇": "township",
    "农村": "rural",
    "小学": "primary",
    "初中": "junior high",
    "九年一贯制": "nine-year school",
    "高中": "senior high",
    "我的班级": "My classes",
    "年级": "Grade",
    "任教学科": "Subjects",
    "班主任": "head teacher",
    "人数": "Students",
    "最近的考试与作业": "Recent assessments",
    "名称": "Name",
    "日期": "Date",
    "学科": "Subject",
    "实考": "Present",
    "缺考": "Absent",
    "参考率": "Participation",
    "暂无考试": "No assessments yet",
    "您还没有任教班级。": "You teach no class yet.",
    "花名册": "Roster",
    "学号": "Student no.",
    "姓名": "Name",
    "性别": "Gender",
    "男": "M",
    "女": "F",
    "满分": "full marks",
    "本班还没有考试成绩。": "This class has no exam results yet.",
    "考试": "Exam",
    "作业": "Homework",
    "测验": "Quiz",
    "等级": "Band",
    "总分": "Total",
    "我的学业": "My results",
    "孩子的学业": "My child's results",
    "学业档案": "Results",
    "等级说明：A ≥ 85%，B ≥ 70%，C ≥ 60%，D < 60%（占满分比例）。成绩与排名不公开。": (
        "Bands: A ≥ 85%, B ≥ 70%, C ≥ 60%, D < 60% of full marks."
        " Scores and ranks are not published."
    ),
    "还没有考试记录。": "No assessments yet.",
    "班级与考试": "Classes and assessments",
    "本校班级": "Classes",
    "本校考试": "Assessments",
    "全区学校": "Schools of the district",
    "当前密码": "Current password",
    "新密码": "New password",
    "再次输入新密码": "New password again",
    "保存": "Save",
    "密码已修改。": "Password changed.",
    "两次输入的新密码不一致": "The two new passwords differ",
    "新建账号": "New account",
    "角色": "Role",
    "显示名": "Display name",
    "初始密码": "Initial password",
    "工号（教师）": "Staff no. (teacher)",
    "学号（学生/家长）": "Student no. (student/parent)",
    "学校（学校管理员）": "School (school admin)",
    "创建": "Create",
    "状态": "Status",
    "启用": "Active",
    "已停用": "Disabled",
    "停用": "Disable",
    "重新启用": "Enable",
    "重置密码": "Reset password",
    "操作": "Actions",
    "区管理员": "District admin",
    "学校管理员": "School admin",
    "家长": "Parent",
    "账号已创建。": "Account created.",
    "已保存。": "Saved.",
    "时间": "Time",
    "用户": "User",
    "动作": "Action",
    "对象": "Object",
    "范围": "Scope",
    "全部": "All",
    "从": "From",
    "到": "To",
    "筛选": "Filter",
    "上一页": "Previous",
    "下一页": "Next",
    "共": "Total",
    "条": "events",
    "页": "Page",
    "出错了": "Something went wrong",
    "返回首页": "Back to home",
    "English": "English",
    "中文": "中文",
    "您的账号没有关联的学生。": "Your account is linked to no student.",
    # logins: temporary passwords, two-factor (issue 10)
    "验证码不正确": "Wrong code",
    "两步验证": "Two-factor login",
    "请输入验证器应用中显示的 6 位验证码。": (
        "Enter the 6-digit code shown by your authenticator app."
    ),
    "验证码": "Code",
    "验证": "Verify",
    "返回登录": "Back to login",
    "两步验证已启用：登录时需输入验证器应用中的验证码。": (
        "Two-factor login is on: logging in asks for the code of your authenticator app."
    ),
    "手机丢失或更换时，请联系区管理员重置两步验证。": (
        "Lost or replaced your phone? Ask a district admin to reset two-factor login."
    ),
    "继续": "Continue",
    "用验证器应用扫描二维码，或手动输入密钥：": (
        "Scan the QR code with an authenticator app, or type the key:"
    ),
    "二维码": "QR code",
    "确认启用": "Confirm and turn on",
    "管理员账号须先启用两步验证才能继续使用。": (
        "Admin accounts must turn on two-factor login before going on."
    ),
    "启用后，登录时除密码外还需输入手机验证器应用中的 6 位验证码。": (
        "Once on, logging in asks for the 6-digit code of your phone's authenticator app"
        " besides the password."
    ),
    "开始绑定": "Start",
    "这是临时密码，请先设置您自己的密码。": "This is a temporary password: choose your own first.",
    "至少 %d 个字符，不能是常见密码，不能包含用户名。可以用一句好记的话。": (
        "At least %d characters, not a common password, not containing the username."
        " A sentence you remember works well."
    ),
    "首次登录须修改密码": "Must be changed at first login",
    "临时密码": "temporary password",
    "已启用": "On",
    "重置": "Reset",
    # exam and student report pages, imports, item bank
    "考试分析报告": "Exam report",
    "下载 XLSX": "Download XLSX",
    "下载 PDF": "Download PDF",
    "隐藏一分一段表": "Hide score-band table",
    "显示一分一段表": "Show score-band table",
    "实考人数": "Participants",
    "平均分": "Mean",
    "全体": "All",
    "标准差": "SD",
    "最高分 / 最低分": "Max / min",
    "得分率": "Score rate",
    "信度 α": "Reliability α",
    "三率": "Rates",
    "分数线": "Cut-off",
    "比率": "Rate",
    "优秀率": "Excellent",
    "良好率": "Good",
    "及格率": "Pass",
    "分数分布": "Score distribution",
    "一分一段表": "Score-band table",
    "分数": "Score",
    "累计": "Cumulative",
    "名次": "Rank",
    "班级对比": "Class comparison",
    "学校对比": "School comparison",
    "均分差": "Mean diff.",
    "效应量 g": "Hedges' g",
    "均分差：与全体之差；* 表示差异显著（p < 0.05）。": (
        "Mean diff.: against all; * marks a significant difference (p < 0.05)."
    ),
    "小题分析": "Item analysis",
    "题号": "Item",
    "全体得分率": "Score rate (all)",
    "区分度": "Discrimination",
    "点二列相关": "Point-biserial",
    "提示": "Flags",
    "知识点得分率": "Knowledge-point score rates",
    "知识点": "Knowledge point",
    "题数": "Items",
    "增值评价": "Value added",
    "与上次考试比较": "Compared with the previous exam",
    "匹配人数": "Matched",
    "增值": "Value added",
    "标准误": "SE",
    "进步最大": "Rose most",
    "退步最大": "Fell most",
    "上次": "Previous",
    "本次": "This time",
    "标准分变化": "z change",
    "没有可比较的上次考试。": "No previous exam to compare with.",
    "缺考名单": "Absentees",
    "教师版": "Teacher's copy",
    "家长版": "Family copy",
    "查看家长版": "View family copy",
    "查看教师版": "View teacher's copy",
    "下载家长版 PDF": "Download family copy PDF",
    "本报告只给学生本人和家长看：显示等级、进步与掌握情况，不含其他同学的信息。": (
        "This report is for the student and their family only: grade band, progress and"
        " mastery, with no other student's data."
    ),
    "本次考试": "This exam",
    "班级平均分": "Class mean",
    "与上次比": "Since last time",
    "班级名次": "Class rank",
    "全校": "School",
    "相对位置变化（标准分）": "Change of relative position (z)",
    "成绩走势": "Score trend",
    "暂无历史成绩。": "No earlier results.",
    "知识点掌握度": "Mastery by knowledge point",
    "暂无掌握度。": "No mastery estimate yet.",
    "掌握情况": "Mastery",
    "掌握度正在根据新数据更新": "Mastery is being updated with new data",
    "，当前显示": "; showing the estimates of",
    "的估计。": ".",
    "需要巩固": "Needs work",
    "基本掌握": "Basic",
    "熟练": "Fluent",
    "暂无作答": "No answers yet",
    "薄弱知识点": "Weak points",
    "原因": "Reason",
    "各题得分": "Score by item",
    "得分": "Score",
    "班级平均": "Class mean",
    "错题本": "Mistakes book",
    "第": "Item",
    "题": "",
    "未作答": "Not answered",
    "你的答案": "Your answer",
    "正确答案": "Correct answer",
    "本次没有错题。": "No mistakes this time.",
    "数据导入": "Data import",
    "先上传文件预览：系统逐行校验，预览不会写入任何数据；确认后才正式导入。": (
        "Upload a file to preview it: every row is checked and nothing is written until"
        " you confirm."
    ),
    "导入类型": "Import kind",
    "考试（导入成绩时）": "Assessment (for scores)",
    "日志格式": "Log format",
    "文件（CSV / XLSX / JSON）": "File (CSV / XLSX / JSON)",
    "上传并预览": "Upload and preview",
    "校验未通过，未写入任何数据": "Validation failed: nothing was written",
    "文件": "File",
    "行": "Row",
    "列": "Column",
    "仅显示前 500 条错误。": "Only the first 500 errors are shown.",
    "导入完成": "Import complete",
    "该文件已导入过，无需再次导入": "This file was already imported",
    "校验通过：确认后将写入以下变更": "Validation passed: confirming will make these changes",
    "数据行": "Data rows",
    "新增": "New",
    "更新": "Updated",
    "不变": "Unchanged",
    "删除": "Deleted",
    "确认导入": "Confirm import",
    "学生与教师名册": "Students and teachers roster",
    "题库": "Item bank",
    "成绩": "Scores",
    "学习日志": "Learning logs",
    "单选题": "Single choice",
    "多选题": "Multiple choice",
    "判断题": "True / false",
    "填空题": "Fill in",
    "简答题": "Short answer",
    "解答题": "Extended answer",
    "先修知识点": "Prerequisites",
    "后续知识点": "Needed by",
    "作答": "Answered",
    "难度": "Difficulty",
    "答案": "Answer",
    "该知识点下还没有题目。": "No items for this point yet.",
    "还没有知识点，请先导入题库。": "No knowledge points yet: import an item bank first.",
    "在左侧选择一个知识点，查看它的题目。": (
        "Choose a knowledge point on the left to see its items."
    ),
    "学情报告": "Reports",
    # cockpit
    "数据驾驶舱": "Cockpit",
    "预警": "Early warnings",
    "中": "medium",
    "高": "high",
    "各校质量": "Quality by school",
    "均衡趋势": "Equity over the semester",
    "城乡差距（标准差）": "Urban–rural gap (SD)",
    "处理": "Follow-up",
    "备注": "Note",
    "学业下滑": "Declining student",
    "长期缺考": "Chronic absence",
    "班级落后": "Underperforming class",
    "差距扩大": "Widening gap",
    "成绩缺失": "Missing scores",
    "学期初城乡差距": "Gap at the first exam",
    "学期变化": "Change this term",
    "已确认": "Acknowledged",
    "平均标准分": "Mean z-score",
    "待处理预警": "open warnings",
    "敏感模式（漏报更少，误报更多）": "Sensitive (fewer misses, more false alarms)",
    "教育均衡": "Equity",
    "暂无知识点得分。": "No knowledge-point scores yet.",
    "最近一次考试": "Latest exam",
    "条预警": "warnings",
    "查看": "View",
    "校均分极差": "Range of school means",
    "校均分标准差": "SD of school means",
    "校际方差占比": "Between-school variance share",
    "没有预警。": "No warnings.",
    "确认": "Acknowledge",
    "类别": "Kind",
    "证据": "Evidence",
    "质量趋势": "Quality over the semester",
    "下载全班个性化练习册（PDF）": "Download the class's personalised practice booklets (PDF)",
    "下载个性化练习（PDF）": "Download personalised practice (PDF)",
    "个性化练习册": "Personalised practice booklets",
    "返回班级": "Back to the class",
    "已生成": "Ready",
    "此后有了新数据，这份练习册不是最新的。": (
        "New data has come in since: these booklets are not the latest."
    ),
    "生成最新版本": "Build the latest version",
    "生成失败": "The build failed",
    "后台任务中断了。": "the job worker stopped during the build.",
    "重新生成": "Build again",
    "正在生成": "Building",
    "正在合成答案页与 PDF 文件。": "Putting the answer key and the PDF file together.",
    "页面会自动更新。": "This page updates itself.",
    "排队中，等待后台任务开始生成。": "Queued: waiting for the job worker to start the build.",
    "后台任务程序（yincai worker）没有在运行，请联系系统管理员。": (
        "The job worker (yincai worker) is not running: please tell your system administrator."
    ),
    # Data hub: imports, history, templates, new assessments
    "七年级数学第一次月考": "Grade 7 maths, first monthly test",
    "上传的文件仅保存到确认或放弃为止（最长 30 分钟）。": (
        "The uploaded file is kept only until you confirm or discard (at most 30 minutes)."
    ),
    "下载": "Download",
    "下载模板，按表头和示例行填写后上传；“填写说明”工作表解释每一列。": (
        "Download a template, fill it in like its example row and upload it; the sheet "
        "填写说明 explains every column."
    ),
    "个小题分被替换或删除": "item scores replaced or removed",
    "仅列出前": "Showing the first",
    "任课安排": "teaching assignments",
    "修改": "Changed",
    "先上传文件预览：系统逐行校验并列出将要发生的变更，预览不会写入任何数据；确认后才正式导入。同一考试多次导入时，以最后确认导入的文件为准。": (  # noqa: E501
        "Upload a file to preview it: every row is checked and the changes are listed; a "
        "preview writes nothing. Only a confirmation imports. When an assessment is imported "
        "several times, the last confirmed file wins."
    ),
    "其中已有成绩": "with stored marks",
    "参考班级": "Classes sitting",
    "参考记录": "sittings",
    "号导入": "",
    "名": "students",
    "名学生的成绩将被改写": "students' marks will be rewritten",
    "命令行": "command line",
    "学习记录": "learning events",
    "学生与教师名册模板": "Roster template (students and teachers)",
    "导入模板": "Import templates",
    "导入记录": "Import history",
    "导入记录与撤销": "Import history and revert",
    "小题": "items",
    "小题得分": "item scores",
    "小题（原 → 新）": "Items (old → new)",
    "小题：每行一道，写“题号 满分 [题目编码]”": (
        "Items: one per line, as “label full-score [bank item code]”"
    ),
    "已撤销": "Reverted",
    "您名下没有班级。": "You have no classes.",
    "成绩有变化的学生": "Students whose marks change",
    "成绩表模板": "Score sheet template",
    "我已核对以上变更，确认覆盖已有成绩": (
        "I have checked these changes and confirm overwriting the stored marks"
    ),
    "撤销了第": "Reverted import #",
    "撤销此次导入": "Revert this import",
    "操作人": "By",
    "放弃本次导入": "Discard this import",
    "文件内容与现有数据一致，无需导入": "The file holds what is already stored: nothing to import",
    "文件内容与现有数据一致，未做任何更改": "The file holds what is already stored: nothing changed",  # noqa: E501
    "文件摘要": "File digest",
    "文件（CSV / XLSX / XLS / JSON / YAML）": "File (CSV / XLSX / XLS / JSON / YAML)",
    "新建考试": "New assessment",
    "无成绩": "no marks",
    "有效": "In effect",
    "某次考试的成绩表（含小题列和您班级的学生名单）": (
        "Score sheet of an assessment (its item columns and the students of your classes)"
    ),
    "查看导入记录": "See the import history",
    "正常": "present",
    "每次确认的导入都记录在此：谁、何时、哪个文件、增改删了多少行。每次考试最近一次成绩导入可以一键撤销，恢复导入前的成绩。": (  # noqa: E501
        "Every confirmed import is listed here: who, when, which file, how many rows were "
        "added, changed and removed. The latest score import of each assessment can be "
        "reverted with one click, restoring the marks stored before it."
    ),
    "注意：本次导入将覆盖已有成绩": "Warning: this import overwrites stored marks",
    "现在可以下载它的成绩表模板或导入成绩。": (
        "You can now download its score sheet template or import its scores."
    ),
    "考试代码": "Assessment code",
    "考试名称": "Assessment name",
    "考试已创建": "Assessment created",
    "考试设置": "Assessment set-up",
    "考试设置模板": "Assessment set-up template",
    "表中缺少的本班学生": "Students of these classes missing from the sheet",
    "设置考试（或作业、测验）的小题和满分，以及参加的班级；之后即可导入成绩或下载带学生名单的成绩表模板。也可以用“考试设置模板”在数据导入页批量导入。": (  # noqa: E501
        "Set the items and full scores of an exam (or homework, quiz) and the classes that sit "
        "it; then import its scores or download a score sheet with the students listed. The "
        "assessment set-up template imports many at once on the import page."
    ),
    "返回数据导入": "Back to imports",
    "还没有导入记录。": "No imports yet.",
    "这些学生不在表中，导入后他们的成绩保持不变；如有缺考，请在表中填“缺考”。": (
        "These students are not in the sheet: their marks stay as they are. Mark absentees "
        "as 缺考 in the sheet."
    ),
    "题库模板": "Item bank template",
    "题目": "items",
    "首次录入成绩的学生": "Students getting marks for the first time",
    # the audit log page
    "学生学号": "Student number",
    "，已忽略此条件。": "; this filter was ignored.",
    "涉及学生": "Students shown",
    "等": "and others:",
    "没有符合条件的记录。": "No matching records.",
    # privacy pages (issue 10)
    "隐私与同意": "Privacy and consent",
    "监护人": "Guardian",
    "未满 14 周岁学生的学习数据，须经监护人同意才用于学情诊断与个性化练习。学校收到家长签署的纸质同意书后，可在此录入。": (  # noqa: E501
        "The learning data of students under 14 is used for diagnosis and personalised practice"
        " only with a guardian's consent. Record signed paper consent forms here."
    ),
    "您的权限范围内没有这个学号。": "No student with this number in your scope.",
    "查找": "Find",
    "该学生未满 14 周岁（或出生年份不详）：其学习数据只有在监护人同意后，才用于下列用途。撤回同意后立即停止使用。": (  # noqa: E501
        "This student is under 14 (or the birth year is unknown): their learning data is used"
        " for the purposes below only with a guardian's consent, and no longer once withdrawn."
    ),
    "该学生已满 14 周岁，下列用途无需监护人另行同意；记录仍会保留。": (
        "This student is 14 or older: the purposes below need no guardian's consent; the"
        " records are kept."
    ),
    "用途": "Purpose",
    "已同意": "Consented",
    "未同意": "No consent",
    "我同意": "I consent",
    "撤回同意": "Withdraw consent",
    "录入纸质同意书": "Record a paper form",
    "同意记录": "Consent history",
    "方式": "How",
    "同意时间": "Given",
    "撤回时间": "Withdrawn",
    "数据副本": "Copy of the data",
    "下载平台保存的与该学生有关的全部数据（ZIP，含说明）。下载会记入审计日志。": (
        "Download everything the platform holds about this student (ZIP with a README). The"
        " download is audited."
    ),
    "下载全部数据": "Download all data",
    "如需更正或删除个人信息，请联系学校或区县教育局的数据管理员。": (
        "To correct or erase personal data, contact the data officer of the school or district."
    ),
    "学情诊断与个性化练习": "Diagnosis and personalised practice",
    "家长账号在线同意": "online, by the parent's account",
    "学校录入纸质同意书": "paper form recorded by the school",
    "研究数据导出": "Research export",
    "研究导出": "Research export",
    "导出为 ZIP，学生以化名出现（区县密钥下的 HMAC-SHA256）。": (
        "A ZIP in which students appear under pseudonyms (HMAC-SHA256 under the district's key)."
    ),
    "不含姓名、学号、出生年份、班级和监护人信息；学校以化名和城乡类型出现。": (
        "No names, student numbers, birth years, classes or guardians; schools appear as"
        " pseudonyms with their setting."
    ),
    "汇总表中小于下列人数的数被隐藏，并补充隐藏其他格，使其无法由合计推算。": (
        "In the tables, counts below the number below are hidden, with further cells, so that"
        " the totals do not give them away."
    ),
    "最小公布人数": "Smallest published count",
    "每次最多选择考试数": "Assessments per download, at most",
    "导出会记入审计日志。": "Each export is recorded in the audit log.",
    "还没有考试。": "No assessments yet.",
    "下载导出（ZIP）": "Download the export (ZIP)",
}


def language_of(request: Request, default: str) -> str:
    """The page language: ``?lang=``, then the cookie, then the default setting."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(COOKIE_NAME), default):
        if candidate in LANGUAGES:
            return candidate
    return "zh"


def translator(language: str) -> Callable[[str], str]:
    """``_(text)`` for templates: the English of a Chinese text, or the text itself."""
    if language == "en":
        return lambda text: EN.get(text, text)
    return lambda text: text
