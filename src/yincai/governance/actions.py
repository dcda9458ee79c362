"""The words of the audit log: every action code and object type, in Chinese and English.

One table for the whole code base: ``audit()`` refuses an action code that has no words here, so
the audit page never shows a raw code (a test also greps the sources for every code written).
"""

from __future__ import annotations

ACTIONS: dict[str, tuple[str, str]] = {
    # accounts and sessions
    "login": ("登录", "logged in"),
    "password_change": ("修改本人密码", "changed own password"),
    "password_reset": ("重设账号密码", "reset an account's password"),
    "account_create": ("创建账号", "created an account"),
    "account_enable": ("启用账号", "enabled an account"),
    "account_disable": ("停用账号", "disabled an account"),
    "login_wrong_password": ("登录失败（密码错误）", "failed login (wrong password)"),
    "login_unknown_user": ("登录失败（用户名不存在）", "failed login (unknown username)"),
    "login_disabled_account": ("登录失败（账号已停用）", "failed login (disabled account)"),
    "login_locked_out": ("登录被暂时锁定", "login refused (locked out)"),
    "login_wrong_totp": ("登录失败（验证码错误）", "failed login (wrong two-factor code)"),
    "two_factor_enable": ("启用两步验证", "enabled two-factor login"),
    "two_factor_reset": ("重置两步验证", "reset two-factor login"),
    # refusals
    "access_denied": ("访问被拒绝", "access denied"),
    "csrf_refused": ("请求被拒绝（安全令牌无效）", "request refused (bad CSRF token)"),
    # the data hub
    "view_roster": ("查看班级名单", "viewed a class roster"),
    "view_student": ("查看学生档案", "viewed a student's profile"),
    "import_preview": ("预览导入文件", "previewed an import"),
    "import_preview_rejected": ("导入文件未通过校验", "import rejected at preview"),
    "import_commit": ("确认导入", "committed an import"),
    "import_revert": ("撤销一次成绩导入", "reverted a score import"),
    "score_template": ("下载含学生名单的成绩表模板", "downloaded a score sheet with students"),
    "assessment_create": ("新建考试", "created an assessment"),
    # reports
    "exam_report_view": ("查看考试报告", "viewed an exam report"),
    "exam_report_xlsx": ("下载考试报告（Excel）", "downloaded an exam report (XLSX)"),
    "exam_report_pdf": ("下载考试报告（PDF）", "downloaded an exam report (PDF)"),
    "exam_report_api": ("通过接口读取考试报告", "read an exam report through the API"),
    "exam_report_cli": ("通过命令行生成考试报告", "made an exam report on the command line"),
    "student_report_view_teacher": ("查看学生报告（教师版）", "viewed a student report (staff)"),
    "student_report_view_family": ("查看学生报告（家庭版）", "viewed a student report (family)"),
    "student_report_pdf_teacher": (
        "下载学生报告（教师版 PDF）",
        "downloaded a student report (staff PDF)",
    ),
    "student_report_pdf_family": (
        "下载学生报告（家庭版 PDF）",
        "downloaded a student report (family PDF)",
    ),
    "student_report_api_teacher": (
        "通过接口读取学生报告（教师版）",
        "read a student report through the API (staff)",
    ),
    "student_report_api_family": (
        "通过接口读取学生报告（家庭版）",
        "read a student report through the API (family)",
    ),
    "student_report_cli_teacher": (
        "通过命令行生成学生报告（教师版）",
        "made a student report on the command line (staff)",
    ),
    "student_report_cli_family": (
        "通过命令行生成学生报告（家庭版）",
        "made a student report on the command line (family)",
    ),
    "export_practice": ("下载个性化练习", "downloaded personalised practice"),
    "mastery_view": ("查看知识点掌握度", "viewed knowledge-point mastery"),
    # privacy: consent, subject access, erasure, retention, research exports
    "view_consent": ("查看监护人同意记录", "viewed guardian consent"),
    "consent_give": ("记录监护人同意", "recorded guardian consent"),
    "consent_withdraw": ("撤回监护人同意", "withdrew guardian consent"),
    "privacy_export": ("导出学生个人数据副本", "exported a student's data (subject access)"),
    "privacy_erase": ("匿名化学生个人数据", "anonymised a student's personal data"),
    "student_left": ("登记学生离校", "recorded that a student left"),
    "student_returned": ("撤销学生离校登记", "recorded that a student returned"),
    "research_export": ("生成去标识化研究数据", "made a pseudonymised research export"),
    # the cockpit
    "cockpit_view": ("查看数据驾驶舱", "viewed the cockpit"),
    "warnings_view": ("查看预警名单", "viewed the early warnings"),
    "warning_acknowledge": ("确认预警", "acknowledged a warning"),
    # the audit log itself
    "audit_view": ("查看审计日志", "viewed the audit log"),
    "audit_purge": ("清理过期审计记录", "purged expired audit records"),
}

OBJECT_TYPES: dict[str, tuple[str, str]] = {
    "district": ("区县", "district"),
    "school": ("学校", "school"),
    "school_class": ("班级", "class"),
    "class": ("班级", "class"),
    "student": ("学生", "student"),
    "assessment": ("考试", "assessment"),
    "exam_report": ("考试报告", "exam report"),
    "user_account": ("账号", "account"),
    "warning": ("预警", "warning"),
    "route": ("页面", "page"),
    "audit_event": ("审计记录", "audit records"),
}
IMPORT_PREFIX = "import_"  # import_roster, import_scores …: one uploaded file, named by token


def action_words(code: str, language: str = "zh") -> str:
    """The action in words (the code itself only if it was never registered)."""
    words = ACTIONS.get(code)
    if words is None:
        return code
    return words[1] if language == "en" else words[0]


def object_type_words(code: str, language: str = "zh") -> str:
    if code.startswith(IMPORT_PREFIX):
        return "imported file" if language == "en" else "导入文件"
    words = OBJECT_TYPES.get(code)
    if words is None:
        return code
    return words[1] if language == "en" else words[0]
