"""Next-best offer (交叉销售 / 下一个最佳推荐, SPEC D.3): a model learnt from what similar customers hold,
registered as a source in the customers offer registry (customers.offers) so that the 360 page, its
API and the case page show each customer's best offers with the reason in words."""
