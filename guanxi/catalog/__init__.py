"""The product catalogue (产品目录): what the company sells — devices, services and plans — in a
category tree, with list prices that keep their history (effective-from dates) and the parts a
product is made of. Sales sell these products and the warranty app covers them (its 三包 coverage
points at the parts here); `selectors.price_at` answers "what did this cost on that day".
"""
