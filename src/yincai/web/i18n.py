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
