"""A person with something in every corner of the product, for the export and erasure tests."""

import datetime as dt

import time_machine
from django.db import connection

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.catalog.tests.factories import make_product
from guanxi.customers.services import contact_add, contact_point_add
from guanxi.customers.services.history import interaction_record
from guanxi.customers.services.profile import address_add
from guanxi.customers.tests.factories import make_customer
from guanxi.marketing.tests.factories import make_lead
from guanxi.orders.tests.factories import order, pay
from guanxi.portal.services import portal_account_create
from guanxi.servicedesk.services.tickets import ticket_create, ticket_message_add
from guanxi.surveys.services.channels import survey_send
from guanxi.surveys.services.surveys import survey_answer_by_phone
from guanxi.surveys.tests.factories import published_version

NAME, MOBILE, EMAIL, ID_NUMBER = "欧阳晓燕", "13987654321", "xiaoyan.ouyang@example.com", "110105199003071239"
STREET, CONTACT = "朝阳区建国路88号3单元1201", "欧阳大伟"
TRACES = (NAME, MOBILE, "139 8765 4321", EMAIL, ID_NUMBER, STREET, CONTACT)


def person_world(admin=None) -> dict:
    admin = admin or UserFactory(role=Role.ADMIN)
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC), tick=False):
        person = make_customer(
            admin,
            name=NAME,
            mobile=MOBILE,
            email=EMAIL,
            id_type="resident_id",
            id_number=ID_NUMBER,
            notes=f"{NAME}的老客户，手机 {MOBILE}",
            arpu="88.00",
        )
        contact = contact_add(actor=admin, customer=person, name=CONTACT, notes="丈夫")
        contact_point_add(actor=admin, customer=person, kind="email", value=EMAIL, contact=contact)
        address_add(
            actor=admin,
            customer=person,
            kind="home",
            province="北京市",
            city="北京市",
            district="朝阳区",
            street=STREET,
            is_default=True,
        )
        interaction_record(
            actor=admin, customer=person, channel="call", subject="来电", content=f"{NAME}来电，回拨 139 8765 4321"
        )
        case = ticket_create(
            actor=admin,
            customer=person,
            data={
                "subject": f"{NAME}的宽带故障",
                "type": "query",
                "channel": "hotline",
                "description": f"请联系 {MOBILE} 或 {EMAIL}",
            },
        )
        ticket_message_add(actor=admin, ticket=case, kind="note", body=f"已回电{NAME}，地址 {STREET}")
        make_lead(person_name=NAME, mobile=MOBILE)  # a web lead with the same number, not linked
        portal_account_create(actor=admin, customer=person, password="Kehu-mima-2026")
        product = make_product("HX-T1", price="1000.00", since=dt.date(2026, 1, 1))
        sold = order(admin, person, product, quantity=1, day=dt.date(2026, 3, 2))
        pay(admin, person, "1000.00", orders=[(sold, "1000.00")], day=dt.date(2026, 3, 2))
        published_version()
        survey = survey_send(actor=admin, customer=person, mode="email")
        survey_answer_by_phone(
            actor=admin, survey=survey, answers={1: "5", 2: "4", 3: "9", 4: "phone", 5: f"我是{NAME}，电话{MOBILE}"}
        )
    person.refresh_from_db()
    return {"admin": admin, "person": person, "order": sold, "case": case}


def traces_of(values) -> dict[str, int]:
    """Every text column of every table holding any of `values`: {"table.column": rows}."""
    found = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for column in connection.introspection.get_table_description(cursor, table):
                kind = (
                    column.type_code
                    if connection.vendor == "sqlite"
                    else connection.introspection.get_field_type(column.type_code, column)
                )
                if not _is_text(str(kind)):
                    continue
                for value in values:
                    cursor.execute(
                        f'SELECT count(*) FROM "{table}" WHERE CAST("{column.name}" AS TEXT) LIKE %s', [f"%{value}%"]
                    )
                    rows = cursor.fetchone()[0]
                    if rows:
                        found[f"{table}.{column.name}"] = found.get(f"{table}.{column.name}", 0) + rows
    return found


def _is_text(kind: str) -> bool:
    kind = kind.lower()
    return any(word in kind for word in ("char", "text", "json", "clob")) or kind in ("", "blob")
