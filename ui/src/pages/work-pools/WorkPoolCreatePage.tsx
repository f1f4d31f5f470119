/** Create a work pool (`/work-pools/create`, Prefect's URL); opens the new pool's page. */
import { Link, useNavigate } from "@tanstack/react-router";
import { WorkPoolForm } from "../../components/work-pools/WorkPoolForm.tsx";

export function WorkPoolCreatePage() {
  const navigate = useNavigate();
  return (
    <div className="page">
      <nav className="breadcrumbs">
        <Link to="/work-pools">Work Pools</Link>
        <span className="sep">›</span>
        <span>Create</span>
      </nav>
      <header className="page-header">
        <div>
          <h1>Create a work pool</h1>
          <p className="muted">
            Or from a shell: <code>npx prefect-ts work-pool create local --type process</code>
          </p>
        </div>
      </header>
      <section className="card">
        <WorkPoolForm
          onCreated={(pool) =>
            void navigate({ to: "/work-pools/work-pool/$name", params: { name: pool.name } })
          }
          onCancel={() => void navigate({ to: "/work-pools" })}
        />
      </section>
    </div>
  );
}
