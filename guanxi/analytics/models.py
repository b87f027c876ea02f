"""The warehouse's bookkeeping in the operational database: the change log that the capture
triggers fill, and one row per refresh (its status for the UI, its watermark for the next run)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords


class WarehouseChange(models.Model):
    """A row of a source table was inserted, changed or deleted (written by database triggers, see
    migration 0001): the next incremental refresh re-reads it. Trimmed by every refresh. A bulk
    append (the customer import) is one row for its whole range, `row_id..last_row_id`."""

    id = models.BigAutoField(primary_key=True)
    source = models.CharField(max_length=63)
    row_id = models.BigIntegerField()
    last_row_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["source", "id"], name="analytics_change_source")]

    def __str__(self) -> str:
        return f"{self.source}#{self.row_id}"


class WarehouseRefresh(models.Model):
    """One refresh of the star schema (数据仓库刷新): full rebuild or incremental."""

    class Mode(models.TextChoices):
        FULL = "full", _("Full rebuild")
        INCREMENTAL = "incremental", _("Incremental")

    class Status(models.TextChoices):
        RUNNING = "running", pgettext_lazy("run status", "Running")
        DONE = "done", pgettext_lazy("run status", "Done")
        FAILED = "failed", pgettext_lazy("run status", "Failed")

    mode = models.CharField(_("mode"), max_length=12, choices=Mode.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Changes up to this id are in the warehouse once the refresh is done.
    watermark = models.BigIntegerField(default=0)
    rows = models.JSONField(default=dict, help_text="rows in each table's files")
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("warehouse refresh")
        verbose_name_plural = _("warehouse refreshes")
        indexes = [models.Index(fields=["status", "-id"], name="analytics_refresh_status")]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} #{self.pk}"


class ExplorerView(models.Model):
    """A saved explorer view (保存的分析视图): a query (measures, dimensions, filters, period) with a name,
    its owner and who else may open it. Opening it runs the query as the viewer, within the viewer's
    role and scope. Deleting keeps the row (`deleted_at`) so that a link or a schedule to it is told
    it was deleted."""

    class Sharing(models.TextChoices):
        PRIVATE = "private", _("Only me")
        TEAM = "team", _("My team")
        EVERYONE = "everyone", _("Everyone")

    name = models.CharField(_("name"), max_length=100)
    owner = models.ForeignKey("accounts.User", verbose_name=_("owner"), on_delete=models.CASCADE,
                              related_name="explorer_views")
    team = models.ForeignKey("accounts.Team", verbose_name=_("team"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    sharing = models.CharField(_("shared with"), max_length=10, choices=Sharing.choices, default=Sharing.PRIVATE)
    definition = models.JSONField(_("query"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("saved explorer view")
        verbose_name_plural = _("saved explorer views")
        indexes = [models.Index(fields=["owner", "id"], name="analytics_view_owner"),
                   models.Index(fields=["sharing", "team", "id"], name="analytics_view_shared")]

    def __str__(self) -> str:
        return self.name


class ChurnModel(models.Model):
    """One trained churn model (客户流失预警模型): the LightGBM booster and its calibration, the
    cut-off and horizon it was trained on, its parameters and its holdout quality. A training
    with too few churners is kept as REFUSED with its reason; the ACTIVE model stays in use."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        RETIRED = "retired", _("Retired")
        REFUSED = "refused", _("Refused")

    version = models.PositiveIntegerField(_("version"), unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    trained_at = models.DateTimeField(_("trained at"))
    # The features are as of `cutoff`; the label is "churned within `horizon_days` after it". The
    # training data range is [data_from, data_to]: the feature window start to the label window end.
    cutoff = models.DateTimeField(_("cut-off"))
    horizon_days = models.PositiveSmallIntegerField(_("horizon (days)"))
    data_from = models.DateField(_("training data from"))
    data_to = models.DateField(_("training data to"))
    seed = models.IntegerField(_("seed"), default=0)
    params = models.JSONField(_("parameters"), default=dict)
    features = models.JSONField(default=list)
    rows = models.PositiveIntegerField(_("customers"), default=0)
    churners = models.PositiveIntegerField(_("churners"), default=0)
    metrics = models.JSONField(_("quality"), default=dict, help_text="holdout AUC, lift by decile, reliability")
    booster = models.TextField(blank=True, help_text="LightGBM model text")
    calibration = models.JSONField(default=dict, help_text="isotonic calibration: x and y thresholds")
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("churn model")
        verbose_name_plural = _("churn models")
        indexes = [models.Index(fields=["status", "-version"], name="analytics_churnmodel_status")]

    def __str__(self) -> str:
        return f"v{self.version} ({self.get_status_display()})"


class ChurnScore(models.Model):
    """A customer's latest churn risk (流失风险): the calibrated probability of churning within the
    model's horizon, its top three reasons, and the model's version, training data range and
    parameters at the time of scoring. One row per customer, replaced by every scoring run."""

    customer = models.OneToOneField("customers.Customer", on_delete=models.CASCADE, related_name="churn_score",
                                    verbose_name=_("customer"))
    model = models.ForeignKey(ChurnModel, on_delete=models.PROTECT, related_name="scores")
    model_version = models.PositiveIntegerField(_("model version"))
    data_from = models.DateField(_("training data from"))
    data_to = models.DateField(_("training data to"))
    params = models.JSONField(_("parameters"), default=dict)
    probability = models.FloatField(_("churn probability"))
    decile = models.PositiveSmallIntegerField(_("risk decile"), help_text="1 = the riskiest tenth")
    # [{"feature": ..., "value": ..., "contribution": ...}, ...], worded at display time.
    reasons = models.JSONField(_("reasons"), default=list)
    scored_at = models.DateTimeField(_("scored at"))

    class Meta:
        verbose_name = _("churn score")
        verbose_name_plural = _("churn scores")
        indexes = [models.Index(fields=["-probability", "customer"], name="analytics_churnscore_risk")]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.probability:.2f}"


class MiningAnalysis(models.Model):
    """A guided data-mining analysis (数据挖掘分析) of the workbench: a kind (classification, prediction,
    clustering, ranking), a target from the catalogue, features, a seed and a holdout; trained by a
    task over the customers its owner may read. Keeps the quality figures and the model's reasons;
    its predictions per customer are in MiningPrediction."""

    class Kind(models.TextChoices):
        CLASSIFICATION = "classification", pgettext_lazy("data mining", "Classification")
        REGRESSION = "regression", _("Prediction")
        CLUSTERING = "clustering", _("Clustering")
        RANKING = "ranking", _("Ranking")

    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("run status", "Queued")
        RUNNING = "running", pgettext_lazy("run status", "Running")
        DONE = "done", pgettext_lazy("run status", "Done")
        FAILED = "failed", pgettext_lazy("run status", "Failed")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    target = models.CharField(_("target"), max_length=40, blank=True)
    target_option = models.CharField(_("target option"), max_length=50, blank=True)
    features = models.JSONField(_("features"), default=list)
    params = models.JSONField(_("parameters"), default=dict)
    owner = models.ForeignKey("accounts.User", verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField(_("created at"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("customers trained on"), default=0)
    scored = models.PositiveIntegerField(_("customers scored"), default=0)
    metrics = models.JSONField(_("quality"), default=dict)
    reasons = models.JSONField(_("reasons"), default=dict,
                               help_text="feature importance, mean |SHAP|, cluster profiles")
    error = models.TextField(_("error"), blank=True)
    history = HistoricalRecords(excluded_fields=["metrics", "reasons"])

    class Meta:
        verbose_name = _("data-mining analysis")
        verbose_name_plural = _("data-mining analyses")
        indexes = [models.Index(fields=["owner", "-id"], name="analytics_mining_owner")]

    def __str__(self) -> str:
        return self.name


class MiningPrediction(models.Model):
    """One customer's result of an analysis: the score (probability, predicted value), the predicted
    class or cluster, and the rank by score (1 = highest)."""

    analysis = models.ForeignKey(MiningAnalysis, on_delete=models.CASCADE, related_name="predictions")
    # A snapshot, as the churn scores' and the value snapshot's: no database foreign key to a customer.
    customer = models.ForeignKey("customers.Customer", on_delete=models.DO_NOTHING, db_constraint=False,
                                 related_name="+", db_index=False)
    score = models.FloatField(_("score"))
    label = models.IntegerField(_("class or cluster"))
    rank = models.PositiveIntegerField(_("rank"))

    class Meta:
        verbose_name = _("data-mining prediction")
        verbose_name_plural = _("data-mining predictions")
        constraints = [models.UniqueConstraint(fields=["analysis", "customer"], name="analytics_mining_pred_unique")]
        indexes = [models.Index(fields=["analysis", "rank"], name="analytics_mining_pred_rank"),
                   models.Index(fields=["analysis", "label", "rank"], name="analytics_mining_pred_label")]

    def __str__(self) -> str:
        return f"{self.analysis_id}:{self.customer_id}={self.score:.3f}"


class MiningSelection(models.Model):
    """Customers of an analysis saved as a segment (top N ranked, a cluster, a predicted class): the
    members are frozen here; the segment's rule `mining_selection = <id>` reads them."""

    class Kind(models.TextChoices):
        TOP = "top", _("Top N by score")
        LABEL = "label", _("A cluster or predicted class")

    analysis = models.ForeignKey(MiningAnalysis, on_delete=models.CASCADE, related_name="selections")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    value = models.PositiveIntegerField(_("value"))
    segment = models.ForeignKey("segments.Segment", verbose_name=_("segment"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    members = models.PositiveIntegerField(_("members"), default=0)
    created_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("saved data-mining selection")
        verbose_name_plural = _("saved data-mining selections")

    def __str__(self) -> str:
        return f"{self.analysis_id}:{self.kind}={self.value}"


class MiningSelectionMember(models.Model):
    selection = models.ForeignKey(MiningSelection, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["selection", "customer"], name="analytics_mining_member_unique")]
        indexes = [models.Index(fields=["customer", "selection"], name="analytics_mining_member_cust")]

    def __str__(self) -> str:
        return f"{self.selection_id}:{self.customer_id}"


class QualityAssessment(models.Model):
    """A CRM quality assessment (CRM质量评估, SPEC I.6): the figures computed from the data, the
    managers' answers to the rest of the checklist with evidence links, their scores against the
    targets and the gaps named; one row per assessment, so the score is tracked over time."""

    as_of = models.DateField(_("as of"))
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey("accounts.User", verbose_name=_("assessed by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    figures = models.JSONField(_("computed figures"), default=dict)
    answers = models.JSONField(_("answers"), default=dict)
    data_score = models.FloatField(_("data score"))
    checklist_score = models.FloatField(_("checklist score"))
    score = models.FloatField(_("score"))
    gaps = models.JSONField(_("gaps"), default=list)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("CRM quality assessment")
        verbose_name_plural = _("CRM quality assessments")
        indexes = [models.Index(fields=["-as_of", "-id"], name="analytics_quality_asof")]

    def __str__(self) -> str:
        return f"{self.as_of}: {self.score:.0f}"


class HotspotRun(models.Model):
    """One hotspot analysis (焦点分析) of the cases opened in [period_start, period_end]: its result
    (keywords, topics, their daily counts and concentration, spikes) as a snapshot the page, the API
    and the weekly report read."""

    class Status(models.TextChoices):
        RUNNING = "running", pgettext_lazy("run status", "Running")
        DONE = "done", pgettext_lazy("run status", "Done")
        FAILED = "failed", pgettext_lazy("run status", "Failed")

    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    requested_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    params = models.JSONField(default=dict)
    documents = models.PositiveIntegerField(_("cases"), default=0)
    result = models.JSONField(default=dict)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("hotspot analysis")
        verbose_name_plural = _("hotspot analyses")
        indexes = [models.Index(fields=["status", "-id"], name="analytics_hotspot_status")]

    def __str__(self) -> str:
        return f"{self.period_start}–{self.period_end}"


class HotspotCase(models.Model):
    """A case of a hotspot run with its topic and day: the drill-down from a topic to its cases.
    Only the newest done run keeps these rows (older runs keep their result only)."""

    id = models.BigAutoField(primary_key=True)
    run = models.ForeignKey(HotspotRun, on_delete=models.CASCADE, related_name="cases")
    # No constraint and no cascade: a deleted case would otherwise need an index on this column for
    # its delete; the drill-down joins to the cases and simply no longer finds it.
    ticket = models.ForeignKey("servicedesk.Ticket", on_delete=models.DO_NOTHING, db_constraint=False,
                               related_name="+", db_index=False)
    topic = models.SmallIntegerField()
    day = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["run", "topic", "day", "ticket"], name="analytics_hotspot_case_topic")]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.topic}: {self.ticket_id}"


class HotspotInteraction(models.Model):
    """An interaction (a customer contact's notes) of a hotspot run with its topic and day: the
    drill-down from a topic to the contacts, and from there to the customer's 360. Only the newest
    done run keeps these rows, as HotspotCase."""

    id = models.BigAutoField(primary_key=True)
    run = models.ForeignKey(HotspotRun, on_delete=models.CASCADE, related_name="interactions")
    interaction = models.ForeignKey("customers.Interaction", on_delete=models.DO_NOTHING, db_constraint=False,
                                    related_name="+", db_index=False)
    topic = models.SmallIntegerField()
    day = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["run", "topic", "day", "interaction"], name="analytics_hotspot_int_topic")]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.topic}: {self.interaction_id}"


class ReportSubscription(models.Model):
    """A scheduled report (定期报表): which report, to whom (staff users, each receiving it only while
    their role may see it), how often; one delivery per period (see ReportDelivery)."""

    class Kind(models.TextChoices):
        HOTSPOT_WEEKLY = "hotspot", _("Hotspot report")
        DASHBOARD_SUMMARY = "dashboard", _("Executive dashboard summary")
        EXPLORER_VIEW = "explorer_view", _("Saved explorer view")
        MINING = "mining", _("Data-mining analysis")
        QUALITY = "quality", _("CRM quality assessment")

    class Cadence(models.TextChoices):
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")
        MONTHLY = "monthly", _("Monthly")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("report"), max_length=20, choices=Kind.choices)
    cadence = models.CharField(_("cadence"), max_length=10, choices=Cadence.choices, default=Cadence.WEEKLY)
    recipients = models.ManyToManyField("accounts.User", verbose_name=_("recipients"), related_name="+")
    owner = models.ForeignKey("accounts.User", verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="report_subscriptions")
    # The source of a saved-view or data-mining report; a view is kept when deleted (deleted_at), an
    # analysis is not (the column is then emptied): either way the next run stops the subscription.
    explorer_view = models.ForeignKey(ExplorerView, verbose_name=_("saved explorer view"), null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="report_subscriptions")
    analysis = models.ForeignKey(MiningAnalysis, verbose_name=_("data-mining analysis"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="report_subscriptions")
    is_active = models.BooleanField(_("active"), default=True)
    stopped_reason = models.CharField(_("why it stopped"), max_length=300, blank=True)
    last_period_start = models.DateField(_("last period sent"), null=True, blank=True)
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[recipients])

    class Meta:
        verbose_name = _("scheduled report")
        verbose_name_plural = _("scheduled reports")
        indexes = [models.Index(fields=["is_active", "id"], name="analytics_reportsub_active")]

    def __str__(self) -> str:
        return self.name


class ReportDelivery(models.Model):
    """One period of a scheduled report, sent: who it went to (each their own files, see ReportFile)
    and who it was not sent to, with the reason. Unique per subscription and period, so that a
    period is never sent twice."""

    subscription = models.ForeignKey(ReportSubscription, on_delete=models.CASCADE, related_name="deliveries")
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    created_at = models.DateTimeField(_("sent at"))
    recipients = models.JSONField(_("recipients"), default=list)
    skipped = models.JSONField(_("not sent to"), default=list, help_text="[{user, reason}]")

    class Meta:
        verbose_name = _("report delivery")
        verbose_name_plural = _("report deliveries")
        constraints = [models.UniqueConstraint(fields=["subscription", "period_start"],
                                               name="analytics_report_once_per_period")]

    def __str__(self) -> str:
        return f"{self.subscription} {self.period_start}"


class ReportFile(models.Model):
    """One recipient's copy of a sent report (XLSX or PDF), rendered with that recipient's rights
    (row scope, masking): attached to their e-mail and kept here, served only to them."""

    delivery = models.ForeignKey(ReportDelivery, on_delete=models.CASCADE, related_name="files")
    recipient = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(_("file name"), max_length=150)
    content_type = models.CharField(_("content type"), max_length=100)
    content = models.BinaryField()
    size = models.PositiveIntegerField(_("size"), default=0)

    class Meta:
        verbose_name = _("scheduled report file")
        verbose_name_plural = _("scheduled report files")
        constraints = [models.UniqueConstraint(fields=["delivery", "recipient", "filename"],
                                               name="analytics_report_file_unique")]
        indexes = [models.Index(fields=["recipient", "-id"], name="analytics_report_file_user")]

    def __str__(self) -> str:
        return self.filename
