/** Providers and routes: every page needs a signed-in user. */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense, useState } from 'react';
import { BrowserRouter, Route, Routes } from 'react-router';
import { ApiError } from './api/client.js';
import { SessionProvider, useSession } from './auth/session.js';
import { SignIn } from './auth/SignIn.js';
import { Layout } from './components/Layout.js';
import { Loading } from './components/states.js';
import { Audit } from './pages/Audit.js';
import { Dashboard } from './pages/Dashboard.js';
import { DeploymentDetail } from './pages/deployments/DeploymentDetail.js';
import { Deployments } from './pages/deployments/Deployments.js';
import { Exceptions } from './pages/Exceptions.js';
import { Findings } from './pages/Findings.js';
import { HostDetail } from './pages/hosts/HostDetail.js';
import { Hosts } from './pages/hosts/Hosts.js';
import { NotFound } from './pages/NotFound.js';
import { Policies } from './pages/Policies.js';
import { Remediation } from './pages/Remediation.js';
import { Settings } from './pages/settings/Settings.js';
import { Vulnerabilities } from './pages/Vulnerabilities.js';

// The YAML editor and the policy parser are loaded with the page that uses them.
const PolicyEditor = lazy(() =>
  import('./pages/PolicyEditor.js').then((m) => ({ default: m.PolicyEditorPage })),
);

export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        // A 4xx will not get better by asking again.
        retry: (n, e) => !(e instanceof ApiError && e.status < 500) && n < 2,
        refetchOnWindowFocus: false,
      },
    },
  });
}

function Gate() {
  const { user, checking } = useSession();
  if (checking) return <Loading what="your session" />;
  if (!user) return <SignIn />;
  return (
    <Suspense fallback={<Loading what="the page" />}>
      <Routes>
        <Route element={<Layout />}>
          <Route index element={<Dashboard />} />
          <Route path="hosts" element={<Hosts />} />
          <Route path="hosts/:id" element={<HostDetail />} />
          <Route path="vulnerabilities" element={<Vulnerabilities />} />
          <Route path="findings" element={<Findings />} />
          <Route path="remediation" element={<Remediation />} />
          <Route path="exceptions" element={<Exceptions />} />
          <Route path="policies" element={<Policies />} />
          <Route path="policies/new" element={<PolicyEditor />} />
          <Route path="policies/:name" element={<PolicyEditor />} />
          <Route path="deployments" element={<Deployments />} />
          <Route path="deployments/:id" element={<DeploymentDetail />} />
          <Route path="audit" element={<Audit />} />
          <Route path="settings" element={<Settings />} />
          <Route path="*" element={<NotFound />} />
        </Route>
      </Routes>
    </Suspense>
  );
}

export function App({ client }: { client?: QueryClient }) {
  const [queryClient] = useState(() => client ?? makeQueryClient());
  return (
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <SessionProvider>
          <Gate />
        </SessionProvider>
      </BrowserRouter>
    </QueryClientProvider>
  );
}
