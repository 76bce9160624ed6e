"""The data contract of an import: what a 预算管理一体化 export must look like for each table of the finance store.

Declared once, here; the importer (dashboard.store.importer) validates against it, `export-contract` writes it and
`docs/import.md` is rendered from it (`python -m dashboard contract-doc`; a test fails when the document and this
module differ). The tables, their columns, types and NULL-ability come from the schema (dashboard.store.schema), so
a table or column added there is part of the contract at once; this module adds what the schema cannot say: the
Chinese names the exports use, the code lists, the keys and the rules between tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import sqlalchemy as sa

from dashboard.store.schema import FACTS

TABLE_LABELS = {
    "region": "行政区划",
    "classification": "收支分类科目",
    "agency": "预算单位",
    "project": "项目库",
    "budget_indicator": "预算指标",
    "payment": "国库集中支付明细",
    "revenue": "一般公共预算收入",
    "fund_revenue": "政府性基金收入",
    "fund_spending": "政府性基金预算支出",
    "supplier": "供应商",
    "procurement": "政府采购",
    "subsidy_program": "惠民惠农补贴项目",
    "subsidy_payout": "补贴发放明细",
    "person_death": "死亡人员信息",
    "public_employee": "财政供养人员",
    "transfer": "转移支付",
    "bond": "政府债券",
    "debt_limit": "债务限额",
    "treasury_cash": "国库库款",
    "demo_anomaly": "演示预置异常",
    "sampling": "抽样比例",
    "report_submission": "数据报送记录",
    "region_stat": "人口与地区生产总值",
}

# Chinese column names as the exports print them: by column name, then per table where the same name means
# something more specific there.
_LABELS = {
    "adcode": "区划代码",
    "parent_adcode": "上级区划代码",
    "level": "级次",
    "parent_code": "上级科目编码",
    "region_code": "区划代码",
    "department": "主管部门",
    "func_code": "支出功能分类科目(类)",
    "func_item_code": "支出功能分类科目(款)",
    "econ_code": "支出经济分类科目(类)",
    "econ_item_code": "支出经济分类科目(款)",
    "province_code": "省级区划代码",
    "city_code": "市级区划代码",
    "county_code": "县级区划代码",
    "agency_id": "预算单位ID",
    "start_year": "立项年度",
    "doc_no": "指标文号",
    "year": "年度",
    "issue_date": "下达日期",
    "source": "指标来源",
    "fund_nature": "资金性质",
    "expense_kind": "支出类型",
    "project_id": "项目ID",
    "transfer_program": "上级转移支付项目",
    "direct_fund": "是否直达资金",
    "sanbao_type": "三保类型",
    "amount": "金额",
    "voucher_no": "支付凭证号",
    "indicator_id": "指标ID",
    "pay_type": "支付方式",
    "pay_date": "支付日期",
    "payee_name": "收款人名称",
    "payee_account": "收款人账号",
    "payee_is_person": "收款人是否个人",
    "item_code": "收入科目编码",
    "collect_date": "入库日期",
    "credit_code": "统一社会信用代码",
    "sme": "是否中小企业",
    "plan_no": "采购计划编号",
    "method": "采购方式",
    "item_name": "采购品目",
    "budget_amount": "采购预算金额",
    "contract_amount": "合同金额",
    "supplier_id": "供应商ID",
    "supplier_name": "供应商名称",
    "notice_date": "公告日期",
    "contract_date": "合同签订日期",
    "frequency": "发放频次",
    "standard_amount": "补贴标准",
    "program_id": "补贴项目ID",
    "township": "乡镇(街道)",
    "village": "村(社区)",
    "recipient_id_number": "身份证号码",
    "recipient_name": "姓名",
    "bank_account": "银行账号",
    "account_name": "账户名",
    "id_number": "身份证号码",
    "death_date": "死亡日期",
    "from_region": "拨出区划代码",
    "to_region": "接收区划代码",
    "program": "转移支付项目",
    "transfer_date": "下达日期",
    "maturity_date": "到期日期",
    "principal": "发行金额",
    "rate": "票面利率",
    "outstanding": "债务余额",
    "general_limit": "一般债务限额",
    "special_limit": "专项债务限额",
    "month": "月份",
    "opening": "期初库款",
    "inflow": "本月流入",
    "outflow": "本月流出",
    "closing": "期末库款",
    "detail": "详情",
}
_TABLE_COLUMN_LABELS = {
    ("region", "name"): "区划名称",
    ("classification", "kind"): "科目类型",
    ("classification", "code"): "科目编码",
    ("classification", "name"): "科目名称",
    ("agency", "id"): "预算单位ID",
    ("agency", "code"): "单位编码",
    ("agency", "name"): "单位名称",
    ("agency", "kind"): "单位性质",
    ("agency", "func_code"): "主要支出功能分类(类)",
    ("project", "id"): "项目ID",
    ("project", "code"): "项目编码",
    ("project", "name"): "项目名称",
    ("project", "category"): "项目类别",
    ("budget_indicator", "id"): "指标ID",
    ("budget_indicator", "amount"): "指标金额",
    ("payment", "id"): "支付ID",
    ("payment", "amount"): "支付金额",
    ("revenue", "id"): "收入ID",
    ("revenue", "amount"): "入库金额",
    ("fund_revenue", "id"): "收入ID",
    ("fund_revenue", "item_code"): "基金收入科目编码",
    ("fund_revenue", "amount"): "入库金额",
    ("fund_spending", "id"): "支出ID",
    ("fund_spending", "pay_date"): "支出日期",
    ("fund_spending", "amount"): "支出金额",
    ("sampling", "topic"): "专题",
    ("sampling", "share"): "抽样比例",
    ("supplier", "id"): "供应商ID",
    ("supplier", "name"): "供应商名称",
    ("procurement", "id"): "采购ID",
    ("procurement", "category"): "采购类别",
    ("subsidy_program", "id"): "补贴项目ID",
    ("subsidy_program", "code"): "补贴项目编码",
    ("subsidy_program", "name"): "补贴项目名称",
    ("subsidy_program", "category"): "补贴类别",
    ("subsidy_program", "region_code"): "实施区划代码",
    ("subsidy_payout", "id"): "发放ID",
    ("subsidy_payout", "category"): "补贴类别",
    ("subsidy_payout", "amount"): "发放金额",
    ("subsidy_payout", "pay_date"): "发放日期",
    ("person_death", "name"): "姓名",
    ("public_employee", "name"): "姓名",
    ("transfer", "id"): "转移支付ID",
    ("transfer", "kind"): "转移支付类型",
    ("transfer", "amount"): "下达金额",
    ("bond", "id"): "债券ID",
    ("bond", "name"): "债券名称",
    ("bond", "kind"): "债券类型",
    ("bond", "issue_date"): "发行日期",
    ("supplier", "region_code"): "注册地区划代码",
    ("demo_anomaly", "kind"): "异常类型",
    ("demo_anomaly", "key"): "对象",
    ("report_submission", "region_code"): "报送区划代码",
    ("report_submission", "table_name"): "报送数据表",
    ("report_submission", "submitted_at"): "报送日期",
    ("region_stat", "year"): "统计年度",
    ("region_stat", "population"): "年末常住人口(人)",
    ("region_stat", "gdp"): "地区生产总值(元)",
}


@dataclass(frozen=True)
class CodeList:
    """The values a column may take: a fixed list, or the codes of a table (`ref`: table, column, condition)."""

    label: str
    values: tuple[str, ...] = ()
    ref: tuple[str, str, str] | None = None  # (table, column, SQL condition on that table or "")


GB2260 = CodeList("GB/T 2260 行政区划代码(dashboard/data/regions.csv)")
REGIONS = CodeList("本数据仓的行政区划(行政区划表)", ref=("region", "adcode", ""))
FUNCTION_CLASS = CodeList("支出功能分类科目(类,3位)", ref=("classification", "code", "kind = 'function'"))
FUNCTION_ITEM = CodeList("支出功能分类科目(款,5位)", ref=("classification", "code", "kind = 'function'"))
ECONOMIC_CLASS = CodeList("支出经济分类科目(类,3位)", ref=("classification", "code", "kind = 'economic'"))
ECONOMIC_ITEM = CodeList("支出经济分类科目(款,5位)", ref=("classification", "code", "kind = 'economic'"))
REVENUE_ITEM = CodeList("一般公共预算收入科目", ref=("classification", "code", "kind = 'revenue'"))
FUND_REVENUE_ITEM = CodeList("政府性基金收入科目", ref=("classification", "code", "kind = 'fund_revenue'"))

_ENUMS = {
    "region.level": ("country", "province", "city", "county"),
    "classification.kind": ("revenue", "fund_revenue", "function", "economic"),
    "agency.kind": ("行政单位", "事业单位"),
    "project.category": ("其他运转类", "特定目标类", "资本性"),
    "budget_indicator.source": ("年初预算", "追加", "上级转移支付"),
    "budget_indicator.fund_nature": ("一般公共预算", "政府性基金预算", "国有资本经营预算", "社会保险基金预算"),
    "budget_indicator.expense_kind": ("基本支出", "项目支出"),
    "budget_indicator.sanbao_type": ("保工资", "保运转", "保基本民生"),
    "payment.pay_type": ("直接支付", "授权支付", "实拨"),
    "procurement.method": ("公开招标", "邀请招标", "竞争性谈判", "竞争性磋商", "询价", "单一来源", "框架协议"),
    "procurement.category": ("货物", "工程", "服务"),
    "subsidy_program.frequency": ("按月", "按季", "按年", "一次性"),
    "transfer.kind": ("一般性", "专项", "共同事权"),
    "bond.kind": ("一般", "专项"),
    "report_submission.table_name": ("payment", "revenue", "treasury_cash"),
}
_CODE_COLUMNS = {
    "region.adcode": GB2260,
    "region.parent_adcode": GB2260,
    "agency.region_code": REGIONS,
    "supplier.region_code": GB2260,
    "subsidy_program.region_code": REGIONS,
    "person_death.region_code": GB2260,
    "transfer.from_region": REGIONS,
    "transfer.to_region": REGIONS,
    "debt_limit.region_code": REGIONS,
    "treasury_cash.region_code": REGIONS,
    "report_submission.region_code": REGIONS,
    "region_stat.region_code": REGIONS,
    "revenue.item_code": REVENUE_ITEM,
    "fund_revenue.item_code": FUND_REVENUE_ITEM,
    "*.func_code": FUNCTION_CLASS,
    "*.func_item_code": FUNCTION_ITEM,
    "*.econ_code": ECONOMIC_CLASS,
    "*.econ_item_code": ECONOMIC_ITEM,
}

# Facts of one month (`--month` replaces that month of these tables): the column that dates a row.
MONTH_COLUMNS = {
    "payment": "pay_date",
    "revenue": "collect_date",
    "fund_revenue": "collect_date",
    "fund_spending": "pay_date",
    "subsidy_payout": "pay_date",
    "transfer": "transfer_date",
    "procurement": "contract_date",
    "treasury_cash": "year, month",
}
# The business key a re-import replaces by (else the primary key): a voucher is counted once.
KEYS = {"payment": ("voucher_no",), "procurement": ("plan_no",)}
# Needed for a whole store (`--replace`); the others may be absent and are then empty.
REQUIRED_TABLES = ("region", "classification", "agency", "budget_indicator", "payment")


@dataclass(frozen=True)
class Field:
    name: str  # the schema's column: the English alias
    label: str  # the Chinese name in the export
    kind: str  # text / integer / money / decimal / date / boolean
    required: bool
    length: int | None  # most characters of a text
    sql_type: str  # the DuckDB type the importer casts to
    codes: CodeList | None

    @property
    def type_label(self) -> str:
        names = {"text": "文本", "integer": "整数", "money": "金额(元,两位小数)", "date": "日期 YYYY-MM-DD"}
        names |= {"boolean": "是/否", "decimal": f"小数 {self.sql_type}"}
        return names[self.kind] + (f" ≤{self.length}字" if self.length else "")


@dataclass(frozen=True)
class Reference:
    """Every row's `columns` name a row of `target` (`target_columns`); NULLs are not checked."""

    table: str
    columns: tuple[str, ...]
    target: str
    target_columns: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class Agreement:
    """A row and the row it references through `via` agree on `pairs` (this column, that column)."""

    table: str
    via: Reference
    pairs: tuple[tuple[str, str], ...]
    reason: str


@dataclass(frozen=True)
class TableContract:
    name: str
    label: str
    fields: tuple[Field, ...]
    key: tuple[str, ...]
    unique: tuple[tuple[str, ...], ...]  # the primary key and the business key
    month_column: str | None
    required: bool
    has_ancestry: bool

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


def _kind(column: sa.Column) -> tuple[str, str, int | None]:
    t = column.type
    if isinstance(t, sa.Boolean):
        return "boolean", "BOOLEAN", None
    if isinstance(t, sa.Date):
        return "date", "DATE", None
    if isinstance(t, sa.Numeric):
        if t.scale == 2:
            return "money", "DECIMAL(18,2)", None
        return "decimal", f"DECIMAL({t.precision},{t.scale})", None
    if isinstance(t, sa.Integer):
        return "integer", "BIGINT", None
    length = getattr(t, "length", None)
    return "text", "VARCHAR", length


def _codes(table: str, column: str) -> CodeList | None:
    key = f"{table}.{column}"
    if key in _ENUMS:
        return CodeList("、".join(_ENUMS[key]), values=_ENUMS[key])
    return _CODE_COLUMNS.get(key) or _CODE_COLUMNS.get(f"*.{column}")


def _table_contract(table: sa.Table) -> TableContract:
    fields = []
    for column in table.columns:
        kind, sql_type, length = _kind(column)
        label = _TABLE_COLUMN_LABELS.get((table.name, column.name)) or _LABELS.get(column.name, column.name)
        fields.append(
            Field(column.name, label, kind, not column.nullable, length, sql_type, _codes(table.name, column.name))
        )
    primary = tuple(c.name for c in table.primary_key.columns)
    key = KEYS.get(table.name, primary)
    unique = tuple(dict.fromkeys(k for k in (primary, key) if k))
    return TableContract(
        name=table.name,
        label=TABLE_LABELS.get(table.name, table.name),
        fields=tuple(fields),
        key=key,
        unique=unique,
        month_column=MONTH_COLUMNS.get(table.name),
        required=table.name in REQUIRED_TABLES,
        has_ancestry="province_code" in table.columns,
    )


TABLES: dict[str, TableContract] = {t.name: _table_contract(t) for t in FACTS}


def _ref(table: str, column: str, target: str, target_column: str = "id", reason: str = "") -> Reference:
    return Reference(table, (column,), target, (target_column,), reason or f"{TABLE_LABELS[target]}中不存在")


_INDICATOR = _ref("payment", "indicator_id", "budget_indicator", reason="支付对应的预算指标不存在")
# Region codes of the store are a code list (REGIONS) of their columns, not listed here again.
REFERENCES: tuple[Reference, ...] = (
    _ref("region", "parent_adcode", "region", "adcode", "上级区划不在行政区划表中"),
    _ref("project", "agency_id", "agency"),
    _ref("budget_indicator", "agency_id", "agency"),
    _ref("budget_indicator", "project_id", "project"),
    _INDICATOR,
    _ref("payment", "agency_id", "agency"),
    _ref("procurement", "agency_id", "agency"),
    _ref("procurement", "supplier_id", "supplier"),
    _ref("subsidy_payout", "program_id", "subsidy_program"),
    _ref("public_employee", "agency_id", "agency"),
)
AGREEMENTS: tuple[Agreement, ...] = (
    Agreement(
        "payment",
        _INDICATOR,
        (("agency_id", "agency_id"), ("province_code", "province_code"), ("city_code", "city_code"))
        + (("county_code", "county_code"), ("func_code", "func_code"), ("econ_code", "econ_code")),
        "与所属预算指标不一致",
    ),
    Agreement(
        "subsidy_payout",
        _ref("subsidy_payout", "program_id", "subsidy_program"),
        (("category", "category"),),
        "与补贴项目的补贴类别不一致",
    ),
)
# Also, for every table with a region ancestry: its unit (the county, else the city, else the province) is a
# region of the store and (province_code, city_code, county_code) is that region's path; class codes are the
# first three digits of their 款 (func_code = left(func_item_code, 3)); money has at most two decimals (分).
ITEM_PAIRS = (("func_code", "func_item_code"), ("econ_code", "econ_item_code"))


def gb2260_codes() -> list[tuple[str, str, str, str]]:
    """(adcode, name, level, parent) of GB/T 2260 as shipped with the package."""
    with resources.files("dashboard").joinpath("data/regions.csv").open(encoding="utf-8") as fh:
        rows = [line.rstrip("\n").split(",") for line in fh]
    return [(r[0], r[1], r[2], r[3]) for r in rows[1:] if r and r[0]]


def render_markdown() -> str:
    """docs/import.md: the contract for the people who produce the exports."""
    out = [
        "# 数据导入规范 · Import data contract",
        "",
        "Generated from `dashboard/store/contract.py` by `python -m dashboard contract-doc docs/import.md`; "
        "edit the code, not this file (a test fails when they differ).",
        "",
        "```sh",
        "python -m dashboard import PATH… [--db-url URL] [--replace | --month YYYY-MM]",
        "python -m dashboard export-contract DIR [--db-url URL]   # any store in this format (the demo is a sample)",
        "```",
        "",
        "## Files",
        "- One file per table, CSV (UTF-8 with or without BOM, or GB18030/GBK), XLSX (first sheet) or Parquet. "
        "The file name starts with the table's name or its Chinese name "
        "(`payment.csv`, `国库集中支付明细_202403.xlsx`).",
        "- The first row names the columns, by their Chinese name or their English alias, in any order. Unknown "
        "columns are refused; optional columns may be left out.",
        "- Money in 元 with at most two decimals (分); dates `YYYY-MM-DD` (also `YYYY/MM/DD`, `YYYYMMDD`); "
        "yes/no as 是/否 (also true/false, 1/0, Y/N).",
        "- Line numbers in the error report count the header as line 1 (a field with a line break inside counts "
        "as one line); Parquet and XLSX report the row.",
        "",
        "## Modes",
        "- default: the rows replace the store's rows with the same key and add the others; the tables not in the "
        "file set stay as they are. Importing the same files again changes nothing.",
        "- `--replace`: the file set is the whole store; the tables "
        + ", ".join(f"`{t}`" for t in REQUIRED_TABLES)
        + " must be in it, the others are empty when absent.",
        "- `--month YYYY-MM`: one month of the monthly facts ("
        + ", ".join(f"`{t}`" for t in MONTH_COLUMNS)
        + "): each of their rows must fall in that month, and the store's rows of that month in those tables are "
        "replaced by the file set's; the other tables in the file set are merged as by default.",
        "- All or nothing: one bad row and the store is not changed (the app keeps serving the previous data "
        "version); every bad row is reported with file, line, column, value and reason.",
        "",
        "## Rules between tables",
    ]

    def named(table: str, column: str) -> str:
        return f"{TABLES[table].field(column).label} `{table}.{column}`"

    for ref in REFERENCES:
        cols = ", ".join(named(ref.table, c) for c in ref.columns)
        target = ", ".join(named(ref.target, c) for c in ref.target_columns)
        out.append(f"- {cols} → {target}: {ref.reason}")
    for agreement in AGREEMENTS:
        pairs = ", ".join(f"{TABLES[agreement.table].field(a).label} `{a}`" for a, _b in agreement.pairs)
        via = agreement.via
        out.append(
            f"- {TABLES[agreement.table].label} `{agreement.table}` agrees with its {TABLES[via.target].label} "
            f"(through {named(agreement.table, via.columns[0])}) on {pairs} ({agreement.reason})"
        )
    out += [
        "- Every table with `province_code`, `city_code`, `county_code`: the unit (county, else city, else "
        "province) is a region of the store and the three columns are its path (区划层级不一致 otherwise).",
        "- Merging: rows already in the store must still agree with the rows the import puts in place of those "
        "they reference (a 指标 moved to another agency while its payments stay is refused).",
        "- 人口与地区生产总值 `region_stat`: where a region and some of its child regions are given for a year, its "
        "年末常住人口 and 地区生产总值 equal the sums of its children's (上下级不一致 otherwise); the per-capita "
        "metrics read each region's finest rows.",
        "- `func_code` is the first three digits of `func_item_code`, `econ_code` of `econ_item_code`.",
        "- The key of a table is unique over the whole store after the import (for `payment` the 支付凭证号: a "
        "voucher is counted once), and so is its ID.",
        "",
    ]
    for contract in TABLES.values():
        flags = []
        if contract.required:
            flags.append("required for `--replace`")
        if contract.month_column:
            flags.append(f"monthly by `{contract.month_column}`")
        flags.append("key " + " + ".join(f"`{k}`" for k in contract.key))
        out += [
            f"## {contract.label} · `{contract.name}`",
            "",
            "; ".join(flags) + ".",
            "",
            "| 列名 | alias | 类型 | 必填 | 代码表 |",
            "|---|---|---|---|---|",
        ]
        for f in contract.fields:
            codes = f.codes.label if f.codes else ""
            out.append(f"| {f.label} | `{f.name}` | {f.type_label} | {'是' if f.required else ''} | {codes} |")
        out.append("")
    return "\n".join(out)
