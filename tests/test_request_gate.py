"""The live server's RequestGate (tests/conftest.py): requests in flight finish before a flush; later ones are refused."""

import threading

from tests.conftest import RequestGate


def call(app, responses):
    statuses = []
    body = app({}, lambda status, headers: statuses.append(status))
    responses.append((statuses[0], b"".join(body)))


def test_drain_waits_for_the_request_in_flight_and_refuses_new_ones():
    entered, release = threading.Event(), threading.Event()

    def slow_app(environ, start_response):
        entered.set()
        release.wait(5)
        start_response("200 OK", [])
        return iter([b"done"])

    gate, responses, drained = RequestGate(slow_app), [], []
    running = threading.Thread(target=call, args=(gate, responses))
    running.start()
    assert entered.wait(5) and gate.in_flight == 1
    draining = threading.Thread(target=lambda: drained.append(gate.close_and_drain(timeout=5)))
    draining.start()
    draining.join(0.2)
    assert draining.is_alive()  # still waiting for the request in flight
    call(gate, responses)  # a new request while draining: refused, without reaching the app
    assert responses == [("503 Service Unavailable", b"The test that sent this request has ended.")]
    release.set()
    running.join(5)
    draining.join(5)
    assert drained == [True] and gate.in_flight == 0
    assert responses[1] == ("200 OK", b"done")
    gate.open()
    release.set()
    call(gate, responses)
    assert responses[2] == ("200 OK", b"done")


def test_drain_reports_a_request_that_outlives_the_timeout():
    release = threading.Event()

    def stuck_app(environ, start_response):
        release.wait(5)
        start_response("200 OK", [])
        return [b""]

    gate = RequestGate(stuck_app)
    running = threading.Thread(target=call, args=(gate, []))
    running.start()
    while gate.in_flight == 0:
        threading.Event().wait(0.01)
    assert gate.close_and_drain(timeout=0.1) is False
    release.set()
    running.join(5)
