"""The OLAP explorer (多维分析): a catalogue of measures and dimensions over the star schema
(`catalogue`), the SQL built only from its identifiers with the viewer's scope as warehouse filters
(`query`), and saved views (`views_store`)."""
