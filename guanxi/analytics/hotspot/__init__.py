"""Hotspot (focus) analysis of the service desk's Chinese case text (咨询、查询焦点分析, SPEC I.1):
keywords (jieba with a domain dictionary and stop words), topics (TF-IDF + NMF), their counts and
density by day/week/month and by business, case type, customer tier and department, and spikes
against each keyword's and topic's usual weekly level. `text` and `analysis` are pure; `services`
stores a run as a snapshot that `selectors` read for the page, the API and the weekly report."""
