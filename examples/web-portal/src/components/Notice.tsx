/**
 * A message to the patient: `alert` for a refusal (read out at once), `status` for news.
 * A refusal shows the API's message, which says what to do; never a tag or a stack.
 */
import type { ReactNode } from "react"
import type { ApiProblem } from "../api.ts"

export const Problem = ({
  problem,
  children
}: {
  readonly problem: ApiProblem | undefined
  readonly children?: ReactNode
}) =>
  problem === undefined ? null : (
    <div className="notice problem" role="alert">
      <p>{problem.message}</p>
      {children}
    </div>
  )

export const Status = ({ children }: { readonly children: ReactNode }) => (
  <div className="notice success" role="status">
    {children}
  </div>
)

export const Info = ({ children }: { readonly children: ReactNode }) => (
  <div className="notice info">{children}</div>
)
