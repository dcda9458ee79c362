"""The registry of personal data: every table that holds data about a student, how to find one
student's rows, what an export leaves out, and what erasure does to them.

Subject access (``subject_access``) and erasure (``erasure``) are driven by this list alone, and
``tests/privacy/test_registry.py`` fails when a table of ``Base.metadata`` is neither registered
here nor listed in :data:`NO_STUDENT_DATA` with the reason it holds none (as Moodle's privacy
provider test does): a new table cannot hold students' data unnoticed.

Erasure decision (documented in docs/security.md#privacy): identity and contact data are
removed, free text about the student is deleted, and learning records (sittings, scores, learning
events) are kept, pseudonymised, under the anonymised student row, so that the class, school and
district statistics already published stay consistent. Audit events are kept for their retention
period (等保) and leave with the audit module's purge; consents are kept withdrawn, as the proof
of what was lawful when.
"""

from __future__ import annotations

import enum
import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import CursorResult, Select, String, Table, cast, delete, or_, select, update
from sqlalchemy.orm import Session

import yincai
from yincai.accounts.models import LoginSession, UserAccount
from yincai.assistant.models import AssistantConversation, AssistantMessage
from yincai.classroom.models import ClassroomAnswer, ClassroomPractice
from yincai.cockpit.models import WarningAcknowledgement
from yincai.consent.models import GuardianConsent
from yincai.diagnosis.models import MasteryEstimateRow
from yincai.documents.models import GeneratedDocument, GeneratedDocumentStudent
from yincai.domain.models import GrowthRecord, LearningEvent, Score, Sitting, Student
from yincai.governance.models import AuditEvent, AuditEventStudent
from yincai.marking.models import MarkingAnswer, MarkingArbitration, MarkingMark, ScanSheet

# Early warnings about one student carry a key "<kind>:<student id>" (yincai.cockpit.detection).
STUDENT_WARNING_KINDS = ("declining_student", "chronic_absence")
ANONYMOUS_NAME = "已匿名学生"
ERASED_ACCOUNT_NAME = "已注销账号"
UNUSABLE_PASSWORD_HASH = "!erased"  # not an argon2 hash: every password check fails


class Erasure(enum.StrEnum):
    ANONYMISE = "anonymise"  # identity and contact fields blanked, the row stays
    DELETE = "delete"
    KEEP = "keep"  # kept, pseudonymised by the anonymised student row


@dataclass(frozen=True)
class PersonalTable:
    """One table holding data about students.

    ``rows(student_id)`` selects the student's rows (all columns but ``not_exported``);
    ``erase(session, student_id, now)`` applies ``erasure`` and returns the rows it changed.
    """

    table: Table
    about: str  # what the rows are, for the export's README
    rows: Callable[[int], Select[tuple[object, ...]]]
    erasure: Erasure
    erase: Callable[[Session, int, datetime], int]
    not_exported: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.table.name

    def exported_columns(self) -> list[str]:
        return [c.name for c in self.table.columns if c.name not in self.not_exported]


def _by_student(table: Table) -> Callable[[int], Select[tuple[object, ...]]]:
    def rows(student_id: int) -> Select[tuple[object, ...]]:
        return select(table).where(table.c.student_id == student_id).order_by(table.c.id)

    return rows


def _keep(_session: Session, _student_id: int, _now: datetime) -> int:
    return 0


def _account_ids(student_id: int) -> Select[int]:
    return select(UserAccount.id).where(UserAccount.student_id == student_id)


def _warning_keys(student_id: int) -> list[str]:
    return [f"{kind}:{student_id}" for kind in STUDENT_WARNING_KINDS]


def _student_rows(student_id: int) -> Select[tuple[object, ...]]:
    return select(Student.__table__).where(Student.id == student_id)


def _rowcount(result: object) -> int:
    assert isinstance(result, CursorResult)  # UPDATE and DELETE give one
    return int(result.rowcount)


def _anonymise_student(session: Session, student_id: int, now: datetime) -> int:
    # A natural key must stay unique: the id makes one that names nobody.
    return _rowcount(
        session.execute(
            update(Student)
            .where(Student.id == student_id, Student.anonymised_at.is_(None))
            .values(
                name=ANONYMOUS_NAME,
                student_number=f"ANON-{student_id}",
                birth_year=None,
                guardian_name=None,
                guardian_phone=None,
                anonymised_at=now,
            )
            .execution_options(synchronize_session=False)
        )
    )


def _withdraw_consents(session: Session, student_id: int, now: datetime) -> int:
    return _rowcount(
        session.execute(
            update(GuardianConsent)
            .where(GuardianConsent.student_id == student_id, GuardianConsent.withdrawn_at.is_(None))
            .values(withdrawn_at=now)
            .execution_options(synchronize_session=False)
        )
    )


def _delete_growth_records(session: Session, student_id: int, _now: datetime) -> int:
    return _rowcount(
        session.execute(
            delete(GrowthRecord)
            .where(GrowthRecord.student_id == student_id)
            .execution_options(synchronize_session=False)
        )
    )


def _account_rows(student_id: int) -> Select[tuple[object, ...]]:
    table = UserAccount.__table__
    return select(table).where(table.c.student_id == student_id).order_by(table.c.id)


def _close_accounts(session: Session, student_id: int, _now: datetime) -> int:
    changed = 0
    for account in session.scalars(select(UserAccount).where(UserAccount.student_id == student_id)):
        account.username = f"erased-{account.id}"
        account.display_name = ERASED_ACCOUNT_NAME
        account.password_hash = UNUSABLE_PASSWORD_HASH
        account.is_active = False
        changed += 1
    session.flush()
    return changed


def _shown_rows(student_id: int) -> Select[tuple[object, ...]]:
    table = AuditEventStudent.__table__
    return select(table).where(table.c.student_id == student_id).order_by(table.c.event_id)


def _session_rows(student_id: int) -> Select[tuple[object, ...]]:
    table = LoginSession.__table__
    return (
        select(table)
        .where(table.c.user_account_id.in_(_account_ids(student_id)))
        .order_by(table.c.id)
    )


def _end_sessions(session: Session, student_id: int, _now: datetime) -> int:
    return _rowcount(
        session.execute(
            delete(LoginSession)
            .where(LoginSession.user_account_id.in_(_account_ids(student_id)))
            .execution_options(synchronize_session=False)
        )
    )


def _audit_rows(student_id: int) -> Select[tuple[object, ...]]:
    table = AuditEvent.__table__
    accounts = _account_ids(student_id)
    return (
        select(table)
        .where(
            or_(
                table.c.id.in_(
                    select(AuditEventStudent.event_id).where(
                        AuditEventStudent.student_id == student_id
                    )
                ),
                (table.c.object_type == "student") & (table.c.object_id == str(student_id)),
                (table.c.object_type == "warning")
                & table.c.object_id.in_(_warning_keys(student_id)),
                (table.c.object_type == "user_account")
                & table.c.object_id.in_(
                    select(cast(UserAccount.id, String)).where(UserAccount.student_id == student_id)
                ),
                table.c.user_account_id.in_(accounts),
            )
        )
        .order_by(table.c.id)
    )


def _delete_estimates(session: Session, student_id: int, _now: datetime) -> int:
    return _rowcount(
        session.execute(
            delete(MasteryEstimateRow)
            .where(MasteryEstimateRow.student_id == student_id)
            .execution_options(synchronize_session=False)
        )
    )


def _documents_naming(student_id: int) -> Select[int]:
    return select(GeneratedDocumentStudent.document_id).where(
        GeneratedDocumentStudent.student_id == student_id
    )


def _document_rows(student_id: int) -> Select[tuple[object, ...]]:
    table = GeneratedDocument.__table__
    return select(table).where(table.c.id.in_(_documents_naming(student_id))).order_by(table.c.id)


def _delete_documents(session: Session, student_id: int, _now: datetime) -> int:
    # A document names a whole class: it goes as a whole (the next request builds it anew).
    ids = list(session.scalars(_documents_naming(student_id)))
    if not ids:
        return 0
    session.execute(
        delete(GeneratedDocumentStudent)
        .where(GeneratedDocumentStudent.document_id.in_(ids))
        .execution_options(synchronize_session=False)
    )
    return _rowcount(
        session.execute(
            delete(GeneratedDocument)
            .where(GeneratedDocument.id.in_(ids))
            .execution_options(synchronize_session=False)
        )
    )


def _document_link_rows(student_id: int) -> Select[tuple[object, ...]]:
    table = GeneratedDocumentStudent.__table__
    return select(table).where(table.c.student_id == student_id).order_by(table.c.document_id)


def _delete_document_links(session: Session, student_id: int, _now: datetime) -> int:
    return _rowcount(
        session.execute(
            delete(GeneratedDocumentStudent)
            .where(GeneratedDocumentStudent.student_id == student_id)
            .execution_options(synchronize_session=False)
        )
    )


def _warning_rows(student_id: int) -> Select[tuple[object, ...]]:
    table = WarningAcknowledgement.__table__
    return (
        select(table).where(table.c.warning_key.in_(_warning_keys(student_id))).order_by(table.c.id)
    )


def _clear_warning_notes(session: Session, student_id: int, _now: datetime) -> int:
    return _rowcount(
        session.execute(
            update(WarningAcknowledgement)
            .where(
                WarningAcknowledgement.warning_key.in_(_warning_keys(student_id)),
                WarningAcknowledgement.note != "",
            )
            .values(note="")
            .execution_options(synchronize_session=False)
        )
    )


def _marking_answer_ids(student_id: int) -> Select[int]:
    return select(MarkingAnswer.id).where(MarkingAnswer.student_id == student_id)


def _erase_answer_images(session: Session, student_id: int, _now: datetime) -> int:
    # The crop shows the student's handwriting: it goes; the marks stay, like the scores.
    return _rowcount(
        session.execute(
            update(MarkingAnswer)
            .where(MarkingAnswer.student_id == student_id)
            .values(image=None, image_path=None, recognised_text=None)
            .execution_options(synchronize_session=False)
        )
    )


def _delete_scan_sheets(session: Session, student_id: int, _now: datetime) -> int:
    # The values read from the sheet: its scores, once applied, stay like any score.
    return _rowcount(
        session.execute(
            delete(ScanSheet)
            .where(ScanSheet.student_id == student_id)
            .execution_options(synchronize_session=False)
        )
    )


def _by_marking_answer(table: Table) -> Callable[[int], Select[tuple[object, ...]]]:
    def rows(student_id: int) -> Select[tuple[object, ...]]:
        return (
            select(table)
            .where(table.c.marking_answer_id.in_(_marking_answer_ids(student_id)))
            .order_by(table.c.id)
        )

    return rows


def _practice_rows(student_id: int) -> Select[tuple[object, ...]]:
    table = ClassroomPractice.__table__
    return (
        select(table)
        .where(table.c.student_id == student_id)
        .order_by(table.c.assessment_id, table.c.position)
    )


def _conversation_ids(student_id: int) -> Select[int]:
    return select(AssistantConversation.id).where(AssistantConversation.student_id == student_id)


def _assistant_message_rows(student_id: int) -> Select[tuple[object, ...]]:
    table = AssistantMessage.__table__
    return (
        select(table)
        .where(table.c.conversation_id.in_(_conversation_ids(student_id)))
        .order_by(table.c.id)
    )


def _delete_assistant_messages(session: Session, student_id: int, _now: datetime) -> int:
    return _rowcount(
        session.execute(
            delete(AssistantMessage)
            .where(AssistantMessage.conversation_id.in_(_conversation_ids(student_id)))
            .execution_options(synchronize_session=False)
        )
    )


def _delete_conversations(session: Session, student_id: int, _now: datetime) -> int:
    return _rowcount(
        session.execute(
            delete(AssistantConversation)
            .where(AssistantConversation.student_id == student_id)
            .execution_options(synchronize_session=False)
        )
    )


REGISTRY: tuple[PersonalTable, ...] = (
    PersonalTable(
        Student.__table__,  # type: ignore[arg-type]
        "学籍信息：姓名、学号、性别、出生年份、入学年份、班级、监护人及其电话、离校日期",
        _student_rows,
        Erasure.ANONYMISE,
        _anonymise_student,
    ),
    PersonalTable(
        GuardianConsent.__table__,  # type: ignore[arg-type]
        "监护人同意记录：用途、方式、时间、撤回时间",
        _by_student(GuardianConsent.__table__),  # type: ignore[arg-type]
        Erasure.KEEP,
        _withdraw_consents,
    ),
    PersonalTable(
        Sitting.__table__,  # type: ignore[arg-type]
        "参加考试的记录：是否缺考、总分",
        _by_student(Sitting.__table__),  # type: ignore[arg-type]
        Erasure.KEEP,
        _keep,
    ),
    PersonalTable(
        Score.__table__,  # type: ignore[arg-type]
        "每道小题的得分与作答",
        _by_student(Score.__table__),  # type: ignore[arg-type]
        Erasure.KEEP,
        _keep,
    ),
    PersonalTable(
        LearningEvent.__table__,  # type: ignore[arg-type]
        "作业、练习与学习应用中的作答记录",
        _by_student(LearningEvent.__table__),  # type: ignore[arg-type]
        Erasure.KEEP,
        _keep,
    ),
    PersonalTable(
        ClassroomAnswer.__table__,  # type: ignore[arg-type]
        "课堂测验与课后练习中的作答内容及其判定（对应的作答记录见上表）",
        _by_student(ClassroomAnswer.__table__),  # type: ignore[arg-type]
        Erasure.KEEP,
        _keep,
    ),
    PersonalTable(
        ClassroomPractice.__table__,  # type: ignore[arg-type]
        "课后练习中为该学生选出的题目",
        _practice_rows,
        Erasure.KEEP,
        _keep,
    ),
    PersonalTable(
        GrowthRecord.__table__,  # type: ignore[arg-type]
        "成长档案（五育）记录及其文字描述",
        _by_student(GrowthRecord.__table__),  # type: ignore[arg-type]
        Erasure.DELETE,
        _delete_growth_records,
    ),
    PersonalTable(
        UserAccount.__table__,  # type: ignore[arg-type]
        "学生本人与家长的登录账号（不含密码）",
        _account_rows,
        Erasure.ANONYMISE,
        _close_accounts,
        not_exported=("password_hash",),
    ),
    PersonalTable(
        AuditEvent.__table__,  # type: ignore[arg-type]
        "审计记录：谁在何时查看或处理了该学生的数据，以及学生与家长账号的操作",
        _audit_rows,
        Erasure.KEEP,
        _keep,
    ),
    PersonalTable(
        AuditEventStudent.__table__,  # type: ignore[arg-type]
        "审计记录中列出该学生的页面与名单（谁在何时看到了该学生）",
        _shown_rows,
        Erasure.KEEP,
        _keep,
    ),
    PersonalTable(
        LoginSession.__table__,  # type: ignore[arg-type]
        "学生本人与家长账号的登录会话：开始与最近使用时间（不含会话令牌）",
        _session_rows,
        Erasure.DELETE,
        _end_sessions,
        not_exported=("token_hash",),
    ),
    PersonalTable(
        MasteryEstimateRow.__table__,  # type: ignore[arg-type]
        "知识点掌握度估计（由成绩与作答记录计算得出，学生报告中以文字显示；数值为模型内部格式）",
        _by_student(MasteryEstimateRow.__table__),  # type: ignore[arg-type]
        Erasure.DELETE,
        _delete_estimates,
        not_exported=("logit_mean", "logit_sd", "n_evidence"),
    ),
    PersonalTable(
        GeneratedDocument.__table__,  # type: ignore[arg-type]
        "列有该学生的生成文档（如全班个性化练习册）：种类、班级、状态与时间；"
        "不含文件本身，因为文件也列有其他同学",
        _document_rows,
        Erasure.DELETE,
        _delete_documents,
        not_exported=("content",),
    ),
    PersonalTable(
        GeneratedDocumentStudent.__table__,  # type: ignore[arg-type]
        "哪些生成的文档列有该学生",
        _document_link_rows,
        Erasure.DELETE,
        _delete_document_links,  # none are left once the documents above are deleted
    ),
    PersonalTable(
        WarningAcknowledgement.__table__,  # type: ignore[arg-type]
        "关于该学生的学业预警的处理记录与备注",
        _warning_rows,
        Erasure.ANONYMISE,
        _clear_warning_notes,
    ),
    PersonalTable(
        MarkingAnswer.__table__,  # type: ignore[arg-type]
        "网络阅卷中该学生主观题的作答图片（不导出图片本身）、识别文字与最终得分",
        _by_student(MarkingAnswer.__table__),  # type: ignore[arg-type]
        Erasure.ANONYMISE,
        _erase_answer_images,
        not_exported=("image",),
    ),
    PersonalTable(
        MarkingMark.__table__,  # type: ignore[arg-type]
        "阅卷教师对该学生主观题作答的评分（不含学生姓名，阅卷时匿名）",
        _by_marking_answer(MarkingMark.__table__),  # type: ignore[arg-type]
        Erasure.KEEP,
        _keep,
    ),
    PersonalTable(
        MarkingArbitration.__table__,  # type: ignore[arg-type]
        "题组长对该学生主观题作答的仲裁分数与备注",
        _by_marking_answer(MarkingArbitration.__table__),  # type: ignore[arg-type]
        Erasure.KEEP,
        _keep,
    ),
    PersonalTable(
        ScanSheet.__table__,  # type: ignore[arg-type]
        "扫描答题卡读出的该学生考号、各题填涂、复核结果与页面来源",
        _by_student(ScanSheet.__table__),  # type: ignore[arg-type]
        Erasure.DELETE,
        _delete_scan_sheets,
    ),
    # the messages first: they point at their conversation
    PersonalTable(
        AssistantMessage.__table__,  # type: ignore[arg-type]
        "学生向 AI 助教提出的问题与助教的回答（含引用的资料与提示）",
        _assistant_message_rows,
        Erasure.DELETE,
        _delete_assistant_messages,
    ),
    PersonalTable(
        AssistantConversation.__table__,  # type: ignore[arg-type]
        "学生与 AI 助教的对话：开始与最近一次提问的时间",
        _by_student(AssistantConversation.__table__),  # type: ignore[arg-type]
        Erasure.DELETE,
        _delete_conversations,
    ),
)

NO_STUDENT_DATA: dict[str, str] = {
    "district": "区县名称与代码",
    "school": "学校名称、代码、类型",
    "grade": "年级",
    "school_class": "班级名称",
    "subject": "学科",
    "knowledge_point": "课程知识点",
    "kp_prerequisite": "知识点之间的先修关系",
    "item": "题目、答案与参数",
    "item_kp": "题目的知识点标注",
    "assessment": "考试名称、日期、学科",
    "assessment_item": "考试的题目与满分",
    "assessment_class": "参加考试的班级",
    "joint_exam": "联考名称、代码、年级与日期（各学科试卷的归属）",
    "resource": "教学资源",
    "resource_kp": "教学资源的知识点标注",
    "resource_chunk": "教学资源按标题切分的段落（资源库检索用）",
    "teacher": "教职工的姓名与工号：教职工的个人信息，不是学生的（由学校作为用人单位处理）",
    "teaching_assignment": "任课安排（教师—班级—学科）：教职工的工作信息",
    "login_failure": (
        "登录失败的带密钥散列（用户名与地址不可还原），只保留限流窗口内的记录，无法关联到学生"
    ),
    "mastery_run": "某学科掌握度模型的一次计算：时间、进度与校准后的题目参数，不含学生数据",
    "audit_seal": "审计记录哈希链的封印（序号与散列值），不含任何记录内容",
    "api_token": "接口令牌的散列、名称与有效期：只能绑定教职工账号，不含学生数据",
    "audit_chain_state": "审计哈希链的首尾状态与签名",
    "import_batch": (
        "导入批次：文件名、行数、导入人；撤销用的前后值只以内部编号记录成绩，与 score 表"
        "相同且随其假名化"
    ),
    "scan_batch": "一批上传的扫描文件：考试、上传者、状态、进度、文件名与无法使用的页面（按文件）",
    "marking_session": "一次考试的网络阅卷设置（模式、状态），不含学生数据",
    "classroom_quiz": "哪些作业是某班的课堂测验、由谁推送、何时布置课后练习，不含学生数据",
    "marking_task": "每道主观题的阅卷任务：误差范围、题组长、标准答案、状态",
    "marking_task_marker": "阅卷任务分配给哪些教师：教职工的工作信息",
    "lesson_plan": (
        "教案：知识点、班级层面的汇总数字（人数、平均掌握水平、得分率）、题库题目与教师编辑的文字，"
        "不列学生姓名或学号"
    ),
    "fairness_report": "公平性报告：各学生群体（不少于最小人数）的指标与差距，不含单个学生的数据",
    "oneroster_export_request": (
        "OneRoster 导出请求（选项、数据版本、状态、进度、申请人），行内不含学生数据；所附 ZIP "
        "列有全区学生，存于数据目录，删除任一学生时连同本区的导出一并删除，否则 7 天后删除"
    ),
    "account_slips": (
        "批量开户记录（学校、人数、申请人）；所附账号条 PDF 含姓名与临时密码，只供打印分发，"
        "72 小时后或管理员删除时即删除，行内只留人数（见 docs/security.md）"
    ),
}


def load_all_models() -> None:
    """Import every ``yincai.<capability>.models`` so that ``Base.metadata`` lists every table."""
    for module in pkgutil.iter_modules(yincai.__path__):
        if module.ispkg:
            try:
                importlib.import_module(f"yincai.{module.name}.models")
            except ModuleNotFoundError as problem:
                if problem.name != f"yincai.{module.name}.models":
                    raise


def registered_table_names() -> set[str]:
    return {entry.name for entry in REGISTRY}
