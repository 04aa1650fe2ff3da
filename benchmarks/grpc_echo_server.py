"""The transport alone: a grpc.aio server (as `interdict serve` is) whose ScreenPassengerStream answers each
passenger at once, with an empty result, screening nothing. benchmarks/test_bench_grpc.py streams the same manifests
to it as to `interdict serve`: what grpcio's per-message work costs on this machine, the ceiling a
one-passenger-per-message stream cannot pass whatever the engine does.

    python benchmarks/grpc_echo_server.py   # prints "echo on 127.0.0.1:<port>"
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import grpc

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from server.proto_gen.interdict.v1 import common_pb2 as c  # noqa: E402
from server.proto_gen.interdict.v1 import screening_pb2 as s  # noqa: E402
from server.proto_gen.interdict.v1 import screening_pb2_grpc  # noqa: E402


class Echo(screening_pb2_grpc.ScreeningServiceServicer):
    async def ScreenPassengerStream(self, request_iterator, context):
        index = 0
        async for request in request_iterator:
            single = request.HasField("passenger")
            passengers = [request.passenger] if single else request.passengers
            results = [c.PassengerResult(index=index + k, passenger_id=p.id) for k, p in enumerate(passengers)]
            index += len(results)
            if single:
                yield s.ScreenPassengerStreamResponse(result=results[0], list_versions={"echo": "v1"})
            else:
                yield s.ScreenPassengerStreamResponse(results=results, list_versions={"echo": "v1"})


async def main() -> None:
    server = grpc.aio.server()
    screening_pb2_grpc.add_ScreeningServiceServicer_to_server(Echo(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    print(f"echo on 127.0.0.1:{port} (", flush=True)
    await server.wait_for_termination()


if __name__ == "__main__":
    asyncio.run(main())
