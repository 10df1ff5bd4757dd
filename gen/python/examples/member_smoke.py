"""A member's way through Marquee over gRPC with the Python SDK: register, sign
in, subscribe, create and select a profile, search, start a stream (and fetch
its manifest), send a heartbeat, rate the title, get recommendations, stop.

    python member_smoke.py [gateway URL] [title to play]

The gateway URL defaults to http://127.0.0.1:8080 (a local `npm start`), the
title to "Test Signal" (a demo title `npm start` makes). Prints one line per
step; exits 0, or 2 with the failed step's gRPC status code and message.
"""

import sys
import urllib.request
import uuid
from urllib.parse import urljoin

import grpc
from google.protobuf import duration_pb2, timestamp_pb2

from marquee.account.v1 import account_service_pb2 as account
from marquee.content.v1 import content_service_pb2 as content
from marquee.feedback.v1 import feedback_service_pb2 as feedback
from marquee.recommendation.v1 import recommendation_service_pb2 as recommendation
from marquee.streaming.v1 import streaming_service_pb2 as streaming
from marquee.user.v1 import user_service_pb2 as user
from marquee_sdk import Marquee


def step(name: str, detail: str) -> None:
    print(f"{name:<10} {detail}", flush=True)


def main(gateway: str, title: str) -> None:
    email = f"smoke-{uuid.uuid4().hex[:12]}@example.com"
    password = "correct horse battery"
    with Marquee(gateway, timeout=10) as anonymous:
        registered = anonymous.user.RegisterUser(
            user.RegisterUserRequest(
                email=email, password=password, name="Smoke", date_of_birth="1990-04-01", country="NO"
            )
        )
        step("register", f"user {registered.user.user_id}")
        login = anonymous.user.Login(user.LoginRequest(email=email, password=password, device_name="python smoke"))
        step("login", f"session {login.tokens.session_id}")
        user_id = login.user.user_id

        member = anonymous.with_access_token(login.tokens.access_token)
        subscription = member.account.CreateSubscription(
            account.CreateSubscriptionRequest(
                user_id=user_id,
                tier=account.PLAN_TIER_STANDARD,
                billing_cycle=account.BILLING_CYCLE_MONTHLY,
                payment_token="tok_visa",
                idempotency_key=str(uuid.uuid4()),
            )
        )
        step("subscribe", account.PlanTier.Name(subscription.subscription.tier))
        profile = member.user.CreateProfile(user.CreateProfileRequest(user_id=user_id, name="Smoke")).profile
        selected = member.user.SelectProfile(user.SelectProfileRequest(profile_id=profile.profile_id))
        step("profile", f"{profile.profile_id} selected")

        viewer = anonymous.with_access_token(selected.access_token)
        found = viewer.content.SearchContent(content.SearchContentRequest(query=title, page_size=10))
        playable = [r.content for r in found.results if r.content.title == title and r.content.media.manifest_path]
        if not playable:
            raise SystemExit(f"search: no playable title named {title!r} among {len(found.results)} results")
        title_id = playable[0].content_id
        step("search", f"{found.total_size} results; playing {title!r} ({title_id})")

        stream = viewer.streaming.StreamContent(
            streaming.StreamContentRequest(
                profile_id=profile.profile_id, content_id=title_id, device_id="python-smoke"
            )
        )
        manifest_url = urljoin(gateway if "://" in gateway else f"http://{gateway}", stream.manifest_url)
        with urllib.request.urlopen(manifest_url, timeout=10) as response:
            manifest = response.read().decode("utf-8", "replace")
        if "<MPD" not in manifest:
            raise SystemExit(f"stream: the manifest at {manifest_url} is not a DASH MPD")
        step("stream", f"session {stream.session_id}, manifest {len(manifest)} bytes")

        now = timestamp_pb2.Timestamp()
        now.GetCurrentTime()
        viewer.streaming.SendHeartbeat(
            streaming.SendHeartbeatRequest(
                session_id=stream.session_id,
                sequence=1,
                event_time=now,
                position=duration_pb2.Duration(seconds=2),
                state=streaming.PLAYBACK_STATE_PLAYING,
            )
        )
        step("heartbeat", "position 2 s, playing")

        viewer.feedback.RateContent(
            feedback.RateContentRequest(
                profile_id=profile.profile_id, content_id=title_id, value=feedback.RATING_VALUE_THUMBS_UP
            )
        )
        step("rate", "thumbs up")

        rows = viewer.recommendation.GetRecommendationsForUser(
            recommendation.GetRecommendationsForUserRequest(profile_id=profile.profile_id, max_rows=5, items_per_row=10)
        ).rows
        step("recommend", f"{len(rows)} rows, {sum(len(r.items) for r in rows)} titles")

        viewer.streaming.StopStream(
            streaming.StopStreamRequest(session_id=stream.session_id, position=duration_pb2.Duration(seconds=2))
        )
        step("stop", "session ended")


if __name__ == "__main__":
    try:
        main(
            sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080",
            sys.argv[2] if len(sys.argv) > 2 else "Test Signal",
        )
    except grpc.RpcError as err:
        print(f"{err.code().name}: {err.details()}", file=sys.stderr)
        sys.exit(2)
