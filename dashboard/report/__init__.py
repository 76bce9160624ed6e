"""The monthly monitoring report (财政运行监测月报) and frozen meeting packs (会议材料包).

`figures.collect` reads every number from the metric layer and the queries the pages use (never a second
definition) into a plain, JSON-able `Figures` mapping; `text` writes the sentences from those numbers; `charts`
draws them offline with matplotlib (Agg) at print resolution; `pdf` lays out the A4 document with fpdf2 and the
embedded CJK font; `archive` keeps generated reports and frozen packs in the application-state store; `schedule`
produces each region's report once a month has closed in a data load.
"""
