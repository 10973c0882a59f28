"""Regular expressions for decimal strings in a range, so that OpenAPI states the exact rule."""


# Clients send versions (`7`, `v7`) and timestamps (`"1705000010"`) as strings; the schema says which
# strings the service accepts with a pattern, which has to spell out a numeric range digit by digit.
def decimal_range(minimum: int, maximum: int, prefix: str = "") -> str:
    """A pattern matching the decimal strings (leading zeros allowed) of `minimum`..`maximum`.

    `minimum` is 0 or 1; `prefix` is a regular expression placed before the digits.
    """
    if minimum not in (0, 1) or maximum < 1:
        raise ValueError("decimal_range covers 0..maximum or 1..maximum, with maximum >= 1")
    digits = str(maximum)
    width = len(digits)
    alternatives = ["0"] if minimum == 0 else []
    if width > 1:
        # Every number with fewer digits than the maximum.
        alternatives.append(f"[1-9][0-9]{{0,{width - 2}}}")
    # Numbers with as many digits as the maximum: equal to it up to a position, smaller there.
    for position, digit in enumerate(digits):
        lowest = 1 if position == 0 else 0
        if int(digit) > lowest:
            top = int(digit) - 1
            allowed = str(lowest) if top == lowest else f"[{lowest}-{top}]"
            rest = width - position - 1
            alternatives.append(digits[:position] + allowed + (f"[0-9]{{{rest}}}" if rest else ""))
    alternatives.append(digits)
    return f"^{prefix}0*(?:{'|'.join(alternatives)})$"
