"""Tasks and activities (任务与日程, SPEC J.1): one model of what people must do — visits, calls,
meetings, follow-ups, hand-overs between departments — that every module creates through
`services.task_create` (with `source=` the record that asked for it), shown on "my work today"
(我的今日工作), a calendar, the customer's timeline and the home page, with appointment reminders
(预约提醒) sent through the messaging backends before a task is due.
"""
