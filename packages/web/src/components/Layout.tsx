/** The frame of every page: skip link, navigation, the account menu (who is signed in, password, sign out). */
import { NavLink, Outlet } from 'react-router';
import { useSession } from '../auth/session.js';
import { AccountMenu } from './AccountMenu.js';

const NAV: readonly [string, string][] = [
  ['/', 'Dashboard'],
  ['/hosts', 'Hosts'],
  ['/vulnerabilities', 'Vulnerabilities'],
  ['/findings', 'Findings'],
  ['/remediation', 'Remediation'],
  ['/exceptions', 'Exceptions'],
  ['/policies', 'Policies'],
  ['/deployments', 'Deployments'],
  ['/audit', 'Audit log'],
  ['/settings', 'Settings'],
];

export function Layout() {
  const { signOut } = useSession();
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">
          <span className="brand-mark" aria-hidden="true">
            ◆
          </span>{' '}
          Patchloop
        </span>
        <span className="spacer" />
        <AccountMenu />
        <button type="button" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      <nav className="sidenav" aria-label="Main">
        <ul>
          {NAV.map(([to, label]) => (
            <li key={to}>
              <NavLink to={to} end={to === '/'}>
                {label}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" className="content" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
