"""Repository-wide pytest setup."""


def pytest_sessionfinish(session, exitstatus):
    # `hatch run test:milestones` selects by marker; before any milestone exists that selects
    # nothing, which pytest reports as exit 5. Selecting nothing by marker is not a failure.
    if exitstatus == 5 and session.config.getoption("markexpr"):
        session.exitstatus = 0
