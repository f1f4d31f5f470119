/**
 * Twin of Prefect's "Caching" concepts and "How to customize caching behavior": combined policies,
 * key storage, a static cache key function, cache key functions for objects that cannot be hashed,
 * and isolation levels with a lock manager.
 * Run: npx tsx examples/caching/cache-policies.ts
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CacheKeyFnPolicy,
  flow,
  INPUTS,
  IsolationLevel,
  MemoryLockManager,
  RUN_ID,
  TASK_SOURCE,
  task,
} from "prefect-ts";

export async function main() {
  const ran: string[] = [];

  // TASK_SOURCE + INPUTS, with cache records kept in their own folder
  const keyStorage = mkdtempSync(join(tmpdir(), "cache-records-"));
  const myCachedTask = task(
    { name: "my_cached_task", cachePolicy: TASK_SOURCE.plus(INPUTS).configure({ keyStorage }) },
    async (x: number) => x + 42,
  );

  // a constant key: every call after the first is a cache hit
  const staticKey = task(
    { name: "static_key_task", cacheKeyFn: () => "static cache key" },
    async (x: number) => {
      ran.push(`static ${x}`);
      return x + 1;
    },
  );

  // an object that cannot be hashed (it holds a socket-like handle): key it by its name
  class Handle {
    readonly fd: number;
    constructor(fd: number) {
      this.fd = fd;
    }
  }
  class ContainsHandle {
    readonly name: string;
    readonly handle: Handle;
    constructor(name: string, handle: Handle) {
      this.name = name;
      this.handle = handle;
    }
  }
  const useObject = task(
    {
      name: "use_object",
      cachePolicy: new CacheKeyFnPolicy(
        (_ctx, params) => (params.someObject as ContainsHandle).name,
      ).plus(RUN_ID),
    },
    async (someObject: ContainsHandle) => `Used ${someObject.name}`,
  );
  // or give the object a stable form (toJSON) that INPUTS can hash
  class Serializable {
    readonly name: string;
    readonly handle: Handle;
    constructor(name: string, handle: Handle) {
      this.name = name;
      this.handle = handle;
    }
    toJSON() {
      return { name: this.name };
    }
  }
  const useSerializable = task(
    { name: "use_serializable", cachePolicy: INPUTS.plus(RUN_ID) },
    async (someObject: Serializable) => `Used ${someObject.name}`,
  );

  // two versions of a task share INPUTS keys; SERIALIZABLE makes the second wait and reuse
  const policy = INPUTS.configure({
    isolationLevel: IsolationLevel.SERIALIZABLE,
    lockManager: new MemoryLockManager(),
  });
  const version1 = task({ name: "my_task_version_1", cachePolicy: policy }, async (x: number) => {
    ran.push("my_task_version_1 running");
    return x + 42;
  });
  const version2 = task({ name: "my_task_version_2", cachePolicy: policy }, async (x: number) => {
    ran.push("my_task_version_2 running");
    return x + 43;
  });

  const demo = flow({ name: "demo-flow" }, async () => {
    await myCachedTask(1);
    const second = await myCachedTask.callWithState(1);
    await staticKey(1);
    await staticKey(2);
    const obj = new ContainsHandle("test", new Handle(3));
    const objStates = [await useObject.callWithState(obj), await useObject.callWithState(obj)];
    const ser = new Serializable("test", new Handle(4));
    const serStates = [
      await useSerializable.callWithState(ser),
      await useSerializable.callWithState(ser),
    ];
    const raced = await Promise.all([version1(2), version2(2)]);
    return {
      keyStorage: second.name,
      objects: objStates.map((s) => s.name),
      serializable: serStates.map((s) => s.name),
      raced,
    };
  });
  return { ...(await demo()), ran };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await main()));
