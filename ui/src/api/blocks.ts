/**
 * The block pages' requests: block types (`/block_types/filter`, `/block_types/slug/{slug}`),
 * their latest schema (`/block_schemas/filter`), documents (`/block_documents/filter`,
 * `/block_documents/{id}`) and the changes to them. Secret values come back masked
 * (`********`): the UI never asks for `include_secrets`.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import { api, post } from "./client.ts";
import type { components } from "./prefect.d.ts";
import { POLL_MS } from "./queries.ts";

type S = components["schemas"];
export type BlockType = S["BlockType"];
export type BlockSchema = S["BlockSchema"];
export type BlockDocument = S["BlockDocument"];

/** How the API shows a secret value it does not send (Prefect's `OBFUSCATED`). */
export const OBFUSCATED = "********";

/** Every query of these pages starts with this key: one invalidation refreshes them all. */
const KEY = "blocks";
/** As many as one page of Prefect's API answers at most. */
const LIST_LIMIT = 200;

const enc = encodeURIComponent;

/** Every block type, by name (the catalog). */
export function useBlockTypes() {
  return useQuery({
    queryKey: [KEY, "types"],
    queryFn: ({ signal }) =>
      post<BlockType[]>("/block_types/filter", { offset: 0, limit: LIST_LIMIT }, signal),
    staleTime: 30_000,
  });
}

export function useBlockType(slug: string) {
  return useQuery({
    queryKey: [KEY, "type", slug],
    queryFn: ({ signal }) => api<BlockType>(`/block_types/slug/${enc(slug)}`, { signal }),
  });
}

/** The latest schema of a block type (its newest), which new documents are made with. */
export function useLatestBlockSchema(blockTypeId: string | undefined) {
  return useQuery({
    queryKey: [KEY, "latest-schema", blockTypeId],
    queryFn: async ({ signal }) => {
      const [latest] = await post<BlockSchema[]>(
        "/block_schemas/filter",
        { block_schemas: { block_type_id: { any_: [blockTypeId] } }, offset: 0, limit: 1 },
        signal,
      );
      return latest ?? null;
    },
    enabled: Boolean(blockTypeId),
  });
}

/** Block documents (not anonymous ones), by block type and name, of the given types if any. */
export function useBlockDocuments(typeSlugs: readonly string[], nameLike: string | undefined) {
  return useQuery({
    queryKey: [KEY, "documents", typeSlugs, nameLike ?? ""],
    queryFn: ({ signal }) =>
      post<BlockDocument[]>(
        "/block_documents/filter",
        {
          block_documents: {
            is_anonymous: { eq_: false },
            ...(nameLike ? { name: { like_: nameLike } } : {}),
          },
          ...(typeSlugs.length > 0 ? { block_types: { slug: { any_: typeSlugs } } } : {}),
          sort: "BLOCK_TYPE_AND_NAME_ASC",
          offset: 0,
          limit: LIST_LIMIT,
        },
        signal,
      ),
    refetchInterval: POLL_MS,
  });
}

/** The query key of one document. */
export const blockDocumentKey = (id: string) => [KEY, "document", id];

/** One document, secrets masked. */
export function useBlockDocument(id: string) {
  return useQuery({
    queryKey: blockDocumentKey(id),
    queryFn: ({ signal }) => api<BlockDocument>(`/block_documents/${enc(id)}`, { signal }),
  });
}

/** Run a change, then refresh every block query (also when it failed). */
export function useBlockChange() {
  const queryClient = useQueryClient();
  return useCallback(
    async <T>(change: () => Promise<T>): Promise<T> => {
      try {
        return await change();
      } finally {
        await queryClient.invalidateQueries({ queryKey: [KEY] });
      }
    },
    [queryClient],
  );
}

export interface BlockDocumentCreate {
  name: string;
  data: Record<string, unknown>;
  block_schema_id: string;
  block_type_id: string;
}

export const blocksApi = {
  create: (body: BlockDocumentCreate) => post<BlockDocument>("/block_documents/", body),
  /** Replace the data (a masked secret sent back keeps the stored one, as in Prefect). */
  update: (id: string, body: { data: Record<string, unknown>; block_schema_id?: string }) =>
    api<null>(`/block_documents/${enc(id)}`, {
      method: "PATCH",
      body: { ...body, merge_existing_data: false },
    }),
  remove: (id: string) => api<null>(`/block_documents/${enc(id)}`, { method: "DELETE" }),
};
