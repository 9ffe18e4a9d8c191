import './zod-config';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { createTransport } from './api';
import { ApiProvider } from './api/context';
import { JobTracker } from './api/job-tracker';
import { ErrorBoundary } from './components/ErrorBoundary';
import { WorkbenchProvider } from './state/workbench';
import { WorkingContextProvider } from './state/working-context';
import './styles.css';

const transport = createTransport();
const jobs = new JobTracker(transport.api);

const container = document.getElementById('root');
if (container === null) throw new Error('The page has no #root element.');

createRoot(container).render(
  <StrictMode>
    <ErrorBoundary where="Prognos">
      <ApiProvider transport={transport} jobs={jobs}>
        <WorkingContextProvider>
          <WorkbenchProvider>
            <App />
          </WorkbenchProvider>
        </WorkingContextProvider>
      </ApiProvider>
    </ErrorBoundary>
  </StrictMode>,
);
