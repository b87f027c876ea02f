"""Satisfaction management (客户满意度管理): questionnaires with frozen versions, surveys sent after
cases and callbacks, answers, the web channel and improvement actions (SPEC G)."""
