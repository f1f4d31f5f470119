/** The UI's routes, with Prefect's URLs (`/dashboard`, `/runs/flow-run/{id}`, …) and typed search params. */
import { createRootRoute, createRoute, createRouter, redirect } from "@tanstack/react-router";
import { Layout } from "./components/Layout.tsx";
import {
  parseDashboardSearch,
  parseDeploymentSearch,
  parseDeploymentsSearch,
  parseFlowRunSearch,
  parseRunsSearch,
} from "./lib/search.ts";
import { ArtifactKeyPage } from "./pages/artifacts/ArtifactKeyPage.tsx";
import { ArtifactPage } from "./pages/artifacts/ArtifactPage.tsx";
import { ArtifactsPage } from "./pages/artifacts/ArtifactsPage.tsx";
import { parseArtifactsSearch } from "./pages/artifacts/search.ts";
import { AssetPage } from "./pages/assets/AssetPage.tsx";
import { AssetsPage } from "./pages/assets/AssetsPage.tsx";
import { parseAssetsSearch } from "./pages/assets/search.ts";
import { BlockCatalogPage } from "./pages/blocks/BlockCatalogPage.tsx";
import { BlockCreatePage } from "./pages/blocks/BlockCreatePage.tsx";
import { BlockEditPage } from "./pages/blocks/BlockEditPage.tsx";
import { BlockPage } from "./pages/blocks/BlockPage.tsx";
import { BlocksPage } from "./pages/blocks/BlocksPage.tsx";
import { BlockTypePage } from "./pages/blocks/BlockTypePage.tsx";
import { parseBlocksSearch, parseCatalogSearch } from "./pages/blocks/search.ts";
import { ConcurrencyPage } from "./pages/ConcurrencyPage.tsx";
import { DashboardPage } from "./pages/DashboardPage.tsx";
import { DeploymentPage } from "./pages/DeploymentPage.tsx";
import { DeploymentsPage } from "./pages/DeploymentsPage.tsx";
import { FlowPage } from "./pages/FlowPage.tsx";
import { FlowRunPage } from "./pages/FlowRunPage.tsx";
import { FlowsPage } from "./pages/FlowsPage.tsx";
import { NotFoundPage } from "./pages/NotFoundPage.tsx";
import { RunsPage } from "./pages/RunsPage.tsx";
import { TagLimitPage } from "./pages/TagLimitPage.tsx";
import { TaskRunPage } from "./pages/TaskRunPage.tsx";
import { parseVariablesSearch } from "./pages/variables/search.ts";
import { VariablesPage } from "./pages/variables/VariablesPage.tsx";
import { parseWorkPoolSearch, parseWorkQueueSearch } from "./pages/work-pools/search.ts";
import { WorkPoolCreatePage } from "./pages/work-pools/WorkPoolCreatePage.tsx";
import { WorkPoolPage } from "./pages/work-pools/WorkPoolPage.tsx";
import { WorkPoolsPage } from "./pages/work-pools/WorkPoolsPage.tsx";
import { WorkQueuePage } from "./pages/work-pools/WorkQueuePage.tsx";

const rootRoute = createRootRoute({ component: Layout, notFoundComponent: NotFoundPage });

const indexRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/",
  beforeLoad: () => {
    throw redirect({ to: "/dashboard" });
  },
});
const dashboardRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/dashboard",
  validateSearch: parseDashboardSearch,
  component: DashboardPage,
});
const runsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/runs",
  validateSearch: parseRunsSearch,
  component: RunsPage,
});
const flowRunRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/runs/flow-run/$id",
  validateSearch: parseFlowRunSearch,
  component: FlowRunPage,
});
const taskRunRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/runs/task-run/$id",
  component: TaskRunPage,
});
const flowsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/flows",
  validateSearch: (s: Record<string, unknown>): { page?: number; q?: string } => ({
    page: typeof s.page === "number" && s.page > 1 ? Math.floor(s.page) : undefined,
    q: typeof s.q === "string" && s.q ? s.q : undefined,
  }),
  component: FlowsPage,
});
const flowRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/flows/flow/$id",
  validateSearch: parseRunsSearch,
  component: FlowPage,
});

const deploymentsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/deployments",
  validateSearch: parseDeploymentsSearch,
  component: DeploymentsPage,
});
const deploymentRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/deployments/deployment/$id",
  validateSearch: parseDeploymentSearch,
  component: DeploymentPage,
});

const concurrencyRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/concurrency-limits",
  validateSearch: (s: Record<string, unknown>): { tab?: "task-run" } => ({
    tab: s.tab === "task-run" ? "task-run" : undefined,
  }),
  component: ConcurrencyPage,
});
const tagLimitRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/concurrency-limits/concurrency-limit/$id",
  component: TagLimitPage,
});

const workPoolsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/work-pools",
  component: WorkPoolsPage,
});
const workPoolCreateRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/work-pools/create",
  component: WorkPoolCreatePage,
});
const workPoolRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/work-pools/work-pool/$name",
  validateSearch: parseWorkPoolSearch,
  component: WorkPoolPage,
});
const workQueueRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/work-pools/work-pool/$name/queue/$queue",
  validateSearch: parseWorkQueueSearch,
  component: WorkQueuePage,
});

const blocksRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/blocks",
  validateSearch: parseBlocksSearch,
  component: BlocksPage,
});
const blockCatalogRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/blocks/catalog",
  validateSearch: parseCatalogSearch,
  component: BlockCatalogPage,
});
const blockTypeRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/blocks/catalog/$slug",
  component: BlockTypePage,
});
const blockCreateRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/blocks/catalog/$slug/create",
  component: BlockCreatePage,
});
const blockRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/blocks/block/$id",
  component: BlockPage,
});
const blockEditRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/blocks/block/$id/edit",
  component: BlockEditPage,
});

const variablesRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/variables",
  validateSearch: parseVariablesSearch,
  component: VariablesPage,
});

const artifactsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/artifacts",
  validateSearch: parseArtifactsSearch,
  component: ArtifactsPage,
});
const artifactKeyRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/artifacts/key/$key",
  component: ArtifactKeyPage,
});
const artifactRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/artifacts/artifact/$id",
  component: ArtifactPage,
});

const assetsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/assets",
  validateSearch: parseAssetsSearch,
  component: AssetsPage,
});
const assetRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/assets/asset/$key",
  component: AssetPage,
});

const routeTree = rootRoute.addChildren([
  indexRoute,
  dashboardRoute,
  runsRoute,
  flowRunRoute,
  taskRunRoute,
  flowsRoute,
  flowRoute,
  deploymentsRoute,
  deploymentRoute,
  concurrencyRoute,
  tagLimitRoute,
  workPoolsRoute,
  workPoolCreateRoute,
  workPoolRoute,
  workQueueRoute,
  blocksRoute,
  blockCatalogRoute,
  blockTypeRoute,
  blockCreateRoute,
  blockRoute,
  blockEditRoute,
  variablesRoute,
  artifactsRoute,
  artifactKeyRoute,
  artifactRoute,
  assetsRoute,
  assetRoute,
]);

export const router = createRouter({ routeTree, defaultPreload: false, scrollRestoration: true });

declare module "@tanstack/react-router" {
  interface Register {
    router: typeof router;
  }
}
