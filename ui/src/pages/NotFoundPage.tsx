import { Link } from "@tanstack/react-router";

export function NotFoundPage() {
  return (
    <div className="page">
      <div className="empty-state">
        <h3>Page not found</h3>
        <p>
          There is nothing at this address. Go to the <Link to="/dashboard">dashboard</Link> or the{" "}
          <Link to="/runs">runs</Link>.
        </p>
      </div>
    </div>
  );
}
