"""Orders, sales contracts (销售合同), payment plans and payments received (回款单): orders with lines
from the catalogue, contracts with renewals and a renewal reminder, installments, payments allocated to
orders, refunds, receivables and their ageing. Every confirmed order, payment and refund is written once,
to the customers ledger (`Transaction`), in the same transaction; the sales figures here read the same
amounts, so the 360's billing summary and the receivables agree."""
