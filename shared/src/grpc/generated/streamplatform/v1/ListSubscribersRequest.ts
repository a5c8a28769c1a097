// Original file: protos/streamplatform/v1/subscriptions.proto

import type { Target as _streamplatform_v1_Target, Target__Output as _streamplatform_v1_Target__Output } from '../../streamplatform/v1/Target.ts';

export interface ListSubscribersRequest {
  /**
   * Everyone subscribed to any of these, each person once.
   */
  'targets'?: (_streamplatform_v1_Target)[];
}

export interface ListSubscribersRequest__Output {
  /**
   * Everyone subscribed to any of these, each person once.
   */
  'targets': (_streamplatform_v1_Target__Output)[];
}
