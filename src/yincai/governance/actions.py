"""The words of the audit log: every action code and object type, as catalogued messages.

One table for the whole code base: ``audit()`` refuses an action code that has no words here, so
the audit page never shows a raw code (a test also greps the sources for every code written).
"""

from __future__ import annotations

from yincai.i18n import Message, pgettext, translate

ACTIONS: dict[str, Message] = {
    # accounts and sessions
    "login": pgettext("audit", "登录"),
    "password_change": pgettext("audit", "修改本人密码"),
    "password_reset": pgettext("audit", "重设账号密码"),
    "account_create": pgettext("audit", "创建账号"),
    "accounts_bulk_request": pgettext("audit", "申请批量开户"),
    "accounts_bulk_create": pgettext("audit", "批量创建账号"),
    "accounts_slips_download": pgettext("audit", "下载账号条"),
    "accounts_slips_delete": pgettext("audit", "删除账号条"),
    "account_enable": pgettext("audit", "启用账号"),
    "account_disable": pgettext("audit", "停用账号"),
    "login_wrong_password": pgettext("audit", "登录失败（密码错误）"),
    "login_unknown_user": pgettext("audit", "登录失败（用户名不存在）"),
    "login_disabled_account": pgettext("audit", "登录失败（账号已停用）"),
    "login_locked_out": pgettext("audit", "登录被暂时锁定"),
    "login_wrong_totp": pgettext("audit", "登录失败（验证码错误）"),
    "two_factor_enable": pgettext("audit", "启用两步验证"),
    "two_factor_reset": pgettext("audit", "重置两步验证"),
    # refusals
    "access_denied": pgettext("audit", "访问被拒绝"),
    "csrf_refused": pgettext("audit", "请求被拒绝（安全令牌无效）"),
    # the data hub
    "view_roster": pgettext("audit", "查看班级名单"),
    "view_student": pgettext("audit", "查看学生档案"),
    "view_results": pgettext("audit", "查看学生成绩"),
    "import_preview": pgettext("audit", "预览导入文件"),
    "import_preview_rejected": pgettext("audit", "导入文件未通过校验"),
    "import_commit": pgettext("audit", "确认导入"),
    "import_revert": pgettext("audit", "撤销一次成绩导入"),
    "score_template": pgettext("audit", "下载含学生名单的成绩表模板"),
    "assessment_create": pgettext("audit", "新建考试"),
    # online marking (网络阅卷)
    "marking_setup": pgettext("audit", "设置网络阅卷"),
    "marking_arbitrate": pgettext("audit", "仲裁阅卷分数"),
    "marking_send_back": pgettext("audit", "退回阅卷教师的评分重评"),
    "marking_close": pgettext("audit", "结束一道题的阅卷并写入成绩"),
    "marking_reopen": pgettext("audit", "重新开放一道题的阅卷"),
    "scan_batch_view": pgettext("audit", "查看扫描答题卡"),
    "scan_review": pgettext("audit", "复核扫描答题卡"),
    # reports
    "exam_report_view": pgettext("audit", "查看考试报告"),
    "exam_report_xlsx": pgettext("audit", "下载考试报告（Excel）"),
    "exam_report_pdf": pgettext("audit", "下载考试报告（PDF）"),
    "exam_report_api": pgettext("audit", "通过接口读取考试报告"),
    "exam_report_cli": pgettext("audit", "通过命令行生成考试报告"),
    "exam_transcript_view": pgettext("audit", "查看考试成绩单"),
    "exam_lines_view": pgettext("audit", "查看分数线与临界生"),
    "exam_review_view": pgettext("audit", "查看试卷讲评"),
    "exam_classes_view": pgettext("audit", "查看班级与教师对比"),
    "student_report_view_teacher": pgettext("audit", "查看学生报告（教师版）"),
    "student_report_view_family": pgettext("audit", "查看学生报告（家庭版）"),
    "student_report_pdf_teacher": pgettext("audit", "下载学生报告（教师版 PDF）"),
    "student_report_pdf_family": pgettext("audit", "下载学生报告（家庭版 PDF）"),
    "student_report_api_teacher": pgettext("audit", "通过接口读取学生报告（教师版）"),
    "student_report_api_family": pgettext("audit", "通过接口读取学生报告（家庭版）"),
    "student_report_cli_teacher": pgettext("audit", "通过命令行生成学生报告（教师版）"),
    "student_report_cli_family": pgettext("audit", "通过命令行生成学生报告（家庭版）"),
    "joint_report_view": pgettext("audit", "查看联考报告"),
    "joint_report_xlsx": pgettext("audit", "下载联考报告（Excel）"),
    "joint_report_pdf": pgettext("audit", "下载联考报告（PDF）"),
    "joint_student_view": pgettext("audit", "查看学生的联考成绩"),
    "export_practice": pgettext("audit", "下载个性化练习"),
    "mastery_view": pgettext("audit", "查看知识点掌握度"),
    "class_mastery_view": pgettext("audit", "查看班级知识点掌握热力图"),
    "class_mastery_xlsx": pgettext("audit", "下载班级知识点掌握表（Excel）"),
    "student_growth_view": pgettext("audit", "查看学生标准分成长曲线"),
    "class_growth_view": pgettext("audit", "查看班级标准分走势"),
    "mistake_book_view": pgettext("audit", "查看学生错题本"),
    "mistake_book_pdf": pgettext("audit", "下载学生错题本（PDF）"),
    "growth_archive_view": pgettext("audit", "查看学生成长档案"),
    "growth_record_add": pgettext("audit", "添加学生成长记录"),
    "homework_class_view": pgettext("audit", "查看班级作业情况"),
    "homework_class_xlsx": pgettext("audit", "下载班级作业情况（Excel）"),
    "homework_student_view": pgettext("audit", "查看学生作业情况"),
    "homework_school_view": pgettext("audit", "查看学校作业概览"),
    "classroom_quiz_push": pgettext("audit", "推送课前测"),
    "classroom_live_view": pgettext("audit", "查看课堂实时作答"),
    "classroom_practice_assign": pgettext("audit", "布置课后练习"),
    "classroom_student_view": pgettext("audit", "查看学生的课堂测验与练习"),
    "classroom_answer": pgettext("audit", "提交课堂测验或练习的答案"),
    "student_resources_view": pgettext("audit", "查看学生的薄弱知识点与推荐资源"),
    "class_resources_view": pgettext("audit", "查看班级的薄弱知识点与推荐资源"),
    "library_upload": pgettext("audit", "上传资源到资源库"),
    # lesson preparation
    "lesson_plan_draft": pgettext("audit", "草拟教案（读取班级掌握度与作答）"),
    "lesson_plan_save": pgettext("audit", "保存教案"),
    # the assistant
    "assistant_students_list": pgettext("audit", "查看与助教对话的学生名单"),
    "assistant_student_view": pgettext("audit", "查看学生与助教的对话列表"),
    "assistant_conversation_view": pgettext("audit", "查看学生与助教的一次对话"),
    # privacy: consent, subject access, erasure, retention, research exports
    "view_consent": pgettext("audit", "查看监护人同意记录"),
    "consent_give": pgettext("audit", "记录监护人同意"),
    "consent_withdraw": pgettext("audit", "撤回监护人同意"),
    "privacy_export": pgettext("audit", "导出学生个人数据副本"),
    "privacy_erase": pgettext("audit", "匿名化学生个人数据"),
    "student_left": pgettext("audit", "登记学生离校"),
    "student_returned": pgettext("audit", "撤销学生离校登记"),
    "research_export": pgettext("audit", "生成去标识化研究数据"),
    "oneroster_export": pgettext("audit", "导出 OneRoster 名册与成绩"),
    "api_token_create": pgettext("audit", "创建接口令牌"),
    "api_token_revoke": pgettext("audit", "吊销接口令牌"),
    # the cockpit
    "cockpit_view": pgettext("audit", "查看数据驾驶舱"),
    "warnings_view": pgettext("audit", "查看预警名单"),
    "warning_acknowledge": pgettext("audit", "确认预警"),
    # the audit log itself
    "audit_view": pgettext("audit", "查看审计日志"),
    "audit_purge": pgettext("audit", "清理过期审计记录"),
}

OBJECT_TYPES: dict[str, Message] = {
    "district": pgettext("audit", "区县"),
    "school": pgettext("audit", "学校"),
    "school_class": pgettext("audit", "班级"),
    "class": pgettext("audit", "班级"),
    "student": pgettext("audit", "学生"),
    "assessment": pgettext("audit", "考试"),
    "exam_report": pgettext("audit", "考试报告"),
    "user_account": pgettext("audit", "账号"),
    "warning": pgettext("audit", "预警"),
    "route": pgettext("audit", "页面"),
    "audit_event": pgettext("audit", "审计记录"),
    "marking_task": pgettext("audit", "阅卷任务"),
    "marking_answer": pgettext("audit", "阅卷答卷"),
    "scan_batch": pgettext("audit", "扫描批次"),
    "resource": pgettext("audit", "资源"),
    "lesson_plan": pgettext("audit", "教案"),
}
IMPORT_PREFIX = "import_"  # import_roster, import_scores …: one uploaded file, named by token


def action_words(code: str, language: str = "zh") -> str:
    """The action in words (the code itself only if it was never registered)."""
    return str(translate(ACTIONS.get(code, code), language))


def object_type_words(code: str, language: str = "zh") -> str:
    if code.startswith(IMPORT_PREFIX):
        return str(translate(pgettext("audit", "导入文件"), language))
    return str(translate(OBJECT_TYPES.get(code, code), language))
